// Route-level code splitting for browsers that have ES modules but no dynamic import().
//
// Firefox 66 (a supported browser) runs <script type="module"> but cannot parse `import()` (Firefox 67)
// or `import.meta` (68): a single such expression in the entry would leave those patients with a blank
// page. So after the bundle is written this plugin rewrites, in every emitted chunk:
//
// - `import("./X.js")` into `window.__moduleScript("/assets/X.js")`, which adds <script type="module"
//   src="/assets/X.js"> and resolves with the chunk's exports once it ran (same-origin files: the CSP's
//   script-src 'self' allows them; the module map still loads each file once);
// - each chunk loaded that way gets one line at its end that records its exports (live, through getters)
//   in `window.__moduleScripts[url]`;
// - `import.meta` (Vite's preload helper asks it for the chunk's own URL) into `{url: <that URL>}`.
//
// The loader itself is put at the top of the entry chunk. A chunk that cannot be fetched (a deploy
// replaced the files) rejects with "Failed to fetch dynamically imported module: <url>", the words
// browsers use for a native import(), so one check in router.ts serves both.
import { posix } from 'node:path'
import { parse } from 'acorn'
import type { Plugin } from 'vite'

interface Node {
  type: string
  start: number
  end: number
  [key: string]: unknown
}

function walk(node: unknown, visit: (node: Node) => void): void {
  if (Array.isArray(node)) {
    node.forEach((child) => walk(child, visit))
    return
  }
  if (!node || typeof node !== 'object' || typeof (node as Node).type !== 'string') return
  visit(node as Node)
  for (const [key, value] of Object.entries(node)) {
    if (key !== 'type' && value && typeof value === 'object') walk(value, visit)
  }
}

function stringValue(node: Node): string | null {
  if (node.type === 'Literal' && typeof node.value === 'string') return node.value
  const quasis = node.quasis as { value: { cooked: string } }[] | undefined
  if (node.type === 'TemplateLiteral' && (node.expressions as unknown[]).length === 0 && quasis) {
    return quasis[0].value.cooked
  }
  return null
}

function name(node: Node): string {
  return typeof node.name === 'string' ? node.name : String(node.value)
}

/** `{get a(){return b},…}` for the chunk's `export {b as a}` / `export const a` statements. */
function exportsObject(code: string, fileName: string): string {
  const ast = parse(code, { ecmaVersion: 'latest', sourceType: 'module' }) as unknown as { body: Node[] }
  const getters: string[] = []
  for (const statement of ast.body) {
    if (statement.type === 'ExportNamedDeclaration' && !statement.source) {
      for (const specifier of statement.specifiers as Node[]) {
        getters.push(`get ${JSON.stringify(name(specifier.exported as Node))}(){return ${name(specifier.local as Node)}}`)
      }
      const declaration = statement.declaration as Node | null
      const declared: Node[] = !declaration
        ? []
        : declaration.type === 'VariableDeclaration'
          ? (declaration.declarations as Node[]).map((d) => d.id as Node)
          : [declaration.id as Node]
      for (const id of declared) {
        if (id.type !== 'Identifier') throw new Error(`${fileName}: cannot record a destructured export`)
        getters.push(`get ${JSON.stringify(id.name)}(){return ${id.name}}`)
      }
    } else if (statement.type.startsWith('Export')) {
      throw new Error(`${fileName}: ${statement.type} is not supported by module-script-chunks`)
    }
  }
  return `{${getters.join(',')}}`
}

const LOADER = `window.__moduleScript=window.__moduleScript||(function(){var pending={};return function(url){
var ran=window.__moduleScripts&&window.__moduleScripts[url];if(ran)return Promise.resolve(ran);
if(!pending[url])pending[url]=new Promise(function(resolve,reject){var script=document.createElement("script");
function fail(){delete pending[url];script.parentNode&&script.parentNode.removeChild(script);
var error=new Error("Failed to fetch dynamically imported module: "+url);error.name="ChunkLoadError";reject(error)}
script.type="module";script.src=url;script.onerror=fail;script.onload=function(){
var exports=window.__moduleScripts&&window.__moduleScripts[url];exports?resolve(exports):fail()};
document.head.appendChild(script)});return pending[url]}})();
`

export function moduleScriptChunks(): Plugin {
  let base = '/'
  return {
    name: 'module-script-chunks',
    apply: 'build',
    enforce: 'post',
    configResolved(config) {
      base = config.base
    },
    generateBundle(_options, bundle) {
      const loaded = new Set<string>()
      for (const chunk of Object.values(bundle)) {
        if (chunk.type !== 'chunk') continue
        const ast = parse(chunk.code, { ecmaVersion: 'latest', sourceType: 'module' })
        const edits: [number, number, string][] = []
        walk(ast, (node) => {
          if (node.type === 'ImportExpression') {
            const specifier = stringValue(node.source as Node)
            if (specifier === null || !specifier.startsWith('.')) {
              throw new Error(`${chunk.fileName}: import() of something other than a relative chunk`)
            }
            const file = posix.normalize(posix.join(posix.dirname(chunk.fileName), specifier))
            loaded.add(file)
            edits.push([node.start, node.end, `window.__moduleScript(${JSON.stringify(base + file)})`])
          } else if (node.type === 'MetaProperty' && name(node.meta as Node) === 'import') {
            edits.push([node.start, node.end, `({url:location.origin+${JSON.stringify(base + chunk.fileName)}})`])
          }
        })
        edits.sort((a, b) => b[0] - a[0])
        let code = chunk.code
        for (const [start, end, text] of edits) code = code.slice(0, start) + text + code.slice(end)
        chunk.code = chunk.isEntry ? LOADER + code : code
      }
      for (const file of loaded) {
        const chunk = bundle[file]
        if (!chunk || chunk.type !== 'chunk') throw new Error(`module-script-chunks: no chunk ${file}`)
        const record = `(window.__moduleScripts=window.__moduleScripts||{})[${JSON.stringify(base + file)}]=`
        chunk.code += `\n${record}${exportsObject(chunk.code, file)};\n`
      }
    },
  }
}
