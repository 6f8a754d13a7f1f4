#!/usr/bin/env node
// Parses every emitted .js file in dist/ as an ES2017 module, so that syntax the
// seed's oldest browsers (Chrome 73, Firefox 66, Safari 12) cannot parse fails
// the build check instead of leaving those patients with a blank page.
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse } from 'acorn'

const root = resolve(fileURLToPath(new URL('..', import.meta.url)), process.argv[2] ?? 'dist')

function jsFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return jsFiles(path)
    return /\.m?js$/.test(name) ? [path] : []
  })
}

let files
try {
  files = jsFiles(root)
} catch (error) {
  console.error(`check-es2017: cannot read ${root}: ${error.message} (run the build first)`)
  process.exit(2)
}
if (files.length === 0) {
  console.error(`check-es2017: no .js files in ${root} (run the build first)`)
  process.exit(2)
}

let bytes = 0
const failures = []
for (const file of files) {
  const source = readFileSync(file, 'utf8')
  bytes += Buffer.byteLength(source)
  try {
    parse(source, { ecmaVersion: 2017, sourceType: 'module', locations: true })
  } catch (error) {
    const { line, column } = error.loc ?? {}
    const excerpt = typeof error.pos === 'number' ? source.slice(Math.max(0, error.pos - 40), error.pos + 40) : ''
    failures.push(`${relative(process.cwd(), file)}:${line}:${column + 1}: ${error.message}\n    …${excerpt.replace(/\s+/g, ' ')}…`)
  }
}

if (failures.length > 0) {
  console.error(`check-es2017: ${failures.length} of ${files.length} file(s) are not ES2017:`)
  for (const failure of failures) console.error(`  ${failure}`)
  process.exit(1)
}
console.log(`check-es2017: ${files.length} file(s), ${bytes} bytes parsed as ES2017 modules: OK`)
