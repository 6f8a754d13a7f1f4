import { ref } from 'vue'

/** True while the call is on screen: the site's header and footer step aside (App.vue) and the call takes the window. */
export const callOnScreen = ref(false)

export type Corner = 'top-left' | 'top-right' | 'bottom-left' | 'bottom-right'

/** The next corner for one's own small video, going round (the button that moves it). */
export function nextCorner(corner: Corner): Corner {
  const order: Corner[] = ['bottom-right', 'bottom-left', 'top-left', 'top-right']
  return order[(order.indexOf(corner) + 1) % order.length]
}

/** The corner nearest to a point of the stage (where a dragged small video is let go). */
export function nearestCorner(x: number, y: number, width: number, height: number): Corner {
  const vertical = y < height / 2 ? 'top' : 'bottom'
  const horizontal = x < width / 2 ? 'left' : 'right'
  return `${vertical}-${horizontal}` as Corner
}
