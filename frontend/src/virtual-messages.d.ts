// Precompiled parts of a locale file (build/messageGroups.ts).
declare module 'virtual:messages/*' {
  const messages: Record<string, unknown>
  export default messages
}
