import { mount } from '@vue/test-utils'
import type { Component } from 'vue'
import { createMemoryHistory } from 'vue-router'
import { i18n } from '../src/i18n'
import { createAppRouter } from '../src/router'

export async function mountWithRouter(component: Component, path = '/') {
  const router = createAppRouter(createMemoryHistory())
  await router.push(path)
  await router.isReady()
  const wrapper = mount(component, { global: { plugins: [i18n, router] }, attachTo: document.body })
  return { wrapper, router }
}

export function jsonResponse(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })
}

export const doctorPatient = {
  id: 'u-1',
  full_name: 'Иванова Мария Петровна',
  email: 'maria@example.ru',
  roles: ['patient', 'doctor'],
  must_change_password: false,
}
