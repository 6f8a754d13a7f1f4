import { ref, watch } from 'vue'
import { useRoute, useRouter } from 'vue-router'
import { todayInClinic } from './dates'

const YMD = /^\d{4}-\d{2}-\d{2}$/

/**
 * The day a page shows, kept in the address as ?date=YYYY-MM-DD (none: today
 * in the clinic). `onDate` is the date input's change handler; the page opened
 * again without a date (from the menu while another day is shown) goes back to today.
 */
export function useDayInAddress() {
  const route = useRoute()
  const router = useRouter()

  function dateFromQuery(): string {
    const value = route.query.date
    return typeof value === 'string' && YMD.test(value) ? value : todayInClinic()
  }

  const date = ref(dateFromQuery())

  function onDate(event: Event) {
    const value = (event.target as HTMLInputElement).value
    if (!YMD.test(value)) return
    date.value = value
    void router.replace({ query: value === todayInClinic() ? {} : { date: value } })
  }

  watch(
    () => route.query.date,
    () => {
      const wanted = dateFromQuery()
      if (wanted !== date.value) date.value = wanted
    },
  )

  return { date, onDate }
}
