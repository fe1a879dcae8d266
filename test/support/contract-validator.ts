import { Ajv2020 } from 'ajv/dist/2020.js';
import formatsPlugin from 'ajv-formats';
import { spec } from './helpers.js';

// ajv-formats is CommonJS with a `default` export; under NodeNext the default import is the module object.
const addFormats = ((formatsPlugin as unknown as { default?: typeof formatsPlugin }).default ?? formatsPlugin) as unknown as (ajv: Ajv2020) => Ajv2020;

/** An ajv instance that knows the bundled contract as `contract`, so JSON pointers into it resolve. */
export function contractValidator() {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema(spec, 'contract');
  return ajv;
}

/** `contract#/a/b` with each part escaped as a JSON pointer segment. */
export const pointer = (...parts: string[]) => `contract#/${parts.map((part) => part.replace(/~/g, '~0').replace(/\//g, '~1')).join('/')}`;
