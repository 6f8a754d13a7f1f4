import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import RoleSwitch from '../src/components/RoleSwitch.vue'
import { i18n, setLocale } from '../src/i18n'
import type { Role } from '../src/roles'

function mountSwitch(roles: Role[], active: Role | null) {
  return mount(RoleSwitch, { props: { roles, active }, global: { plugins: [i18n] } })
}

describe('RoleSwitch', () => {
  it('renders nothing for a single role', () => {
    const wrapper = mountSwitch(['patient'], 'patient')
    expect(wrapper.find('select').exists()).toBe(false)
    expect(wrapper.text()).toBe('')
  })

  it('renders nothing without roles', () => {
    expect(mountSwitch([], null).find('select').exists()).toBe(false)
  })

  it('offers every role by its Russian name with the active one selected', () => {
    const wrapper = mountSwitch(['patient', 'doctor', 'registrar', 'admin'], 'doctor')
    const options = wrapper.findAll('option')
    expect(options.map((option) => option.text())).toEqual(['пациент', 'врач', 'регистратура', 'администратор'])
    expect(options.map((option) => option.attributes('value'))).toEqual(['patient', 'doctor', 'registrar', 'admin'])
    expect((wrapper.find('select').element as HTMLSelectElement).value).toBe('doctor')
  })

  it('labels the select', () => {
    const wrapper = mountSwitch(['patient', 'doctor'], 'patient')
    const label = wrapper.find('label')
    expect(label.text()).toBe('Роль')
    expect(label.attributes('for')).toBe(wrapper.find('select').attributes('id'))
  })

  it('emits change with the chosen role', async () => {
    const wrapper = mountSwitch(['patient', 'doctor'], 'patient')
    await wrapper.find('select').setValue('doctor')
    expect(wrapper.emitted('change')).toEqual([['doctor']])
  })

  it('does not emit when the active role is chosen again', async () => {
    const wrapper = mountSwitch(['patient', 'doctor'], 'doctor')
    await wrapper.find('select').setValue('doctor')
    expect(wrapper.emitted('change')).toBeUndefined()
  })

  it('follows the interface language', async () => {
    const wrapper = mountSwitch(['patient', 'registrar'], 'patient')
    setLocale('en')
    await wrapper.vm.$nextTick()
    expect(wrapper.findAll('option').map((option) => option.text())).toEqual(['patient', 'registry'])
  })
})
