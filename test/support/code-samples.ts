/** What each code-sample tab of the docs page must hold for method `name`, in tab order. */
export const SAMPLE_RULES: Array<[label: string, rule: (name: string, code: string) => boolean]> = [
  ['cURL (webhook)', (name, code) => code.startsWith('curl') && code.includes(`/rest/1/your-webhook-code/${name}"`)],
  ['cURL (OAuth)', (name, code) => code.startsWith('curl') && code.includes(`/rest/${name}"`) && code.includes('"auth"')],
  ['TypeScript', (name, code) => code.includes("import { createBitrix24Client } from 'b24-lead-contact'") && code.includes(`client.${name}(`)],
];
