import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import LoadFailed from '../src/components/LoadFailed.vue'
import { i18n } from '../src/i18n'

function mountFailed(props: { message: string; busy?: boolean }) {
  return mount(LoadFailed, { props, global: { plugins: [i18n] } })
}

describe('LoadFailed', () => {
  it('shows the message in an error alert with a retry button', () => {
    const wrapper = mountFailed({ message: 'Сервер не ответил.' })
    const alert = wrapper.find('.alert.alert--error[role="alert"]')
    expect(alert.exists()).toBe(true)
    expect(alert.findAll('p')[0].text()).toBe('Сервер не ответил.')
    const button = alert.find('button.button.button--secondary')
    expect(button.attributes('type')).toBe('button')
    expect(button.text()).toBe('Повторить')
    expect(button.attributes('disabled')).toBeUndefined()
  })

  it('emits retry on click', async () => {
    const wrapper = mountFailed({ message: 'Сервер не ответил.' })
    await wrapper.find('button').trigger('click')
    await wrapper.find('button').trigger('click')
    expect(wrapper.emitted('retry')).toEqual([[], []])
  })

  it('disables the button while busy', async () => {
    const wrapper = mountFailed({ message: 'Сервер не ответил.', busy: true })
    const button = wrapper.find('button')
    expect(button.attributes('disabled')).toBeDefined()
    await button.trigger('click')
    expect(wrapper.emitted('retry')).toBeUndefined()
  })
})
