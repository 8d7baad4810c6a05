/**
 * Checks a real answer against the response schema its route declares, i.e. the body the OpenAPI document
 * publishes (outside parties implement against it): the zod schema must accept the answer, and no object in
 * the answer may carry a key the schema does not declare. The document itself does not forbid extra keys
 * (clients stay forward-compatible); this check keeps what we publish complete. Routes validate no response
 * at runtime, so this is where a handler and its declared schema are held together.
 */
import { expect } from 'chai';
import { z } from 'zod';
import type { AnyRoute } from '../../src/adapters/http/route.ts';
import { apiRoutes, type ApiServices } from '../../src/adapters/http/routes/index.ts';

/** Services that fail if called: declaring the routes reads none of them (as in scripts/gen-api.ts). */
function uncalled(path = 'services'): ApiServices {
  const fail = () => {
    throw new Error(`declared-response: declaring the routes called ${path}`);
  };
  return new Proxy(fail, {
    get: (_target, key) => (typeof key === 'symbol' ? undefined : uncalled(`${path}.${key}`)),
    apply: fail,
  }) as unknown as ApiServices;
}

let declared: AnyRoute[] | undefined;

/** The route declared for `method path` (Express path syntax, e.g. `/v1/national/plates/:plate/cases`). */
export function declaredRoute(method: string, path: string): AnyRoute {
  declared ??= apiRoutes(uncalled());
  const found = declared.find((r) => r.method === method.toLowerCase() && r.path === path);
  if (!found) throw new Error(`no route ${method} ${path}`);
  return found;
}

interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  additionalProperties?: JsonSchema | boolean;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
}

/** Paths of keys in `value` that `schema` (JSON Schema, as the OpenAPI document has it) does not declare. */
export function undeclaredKeys(schema: JsonSchema, value: unknown, at = '$'): string[] {
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives?.length) {
    // The alternative that fits best: a nullable object's `null` branch must not count against the object.
    return alternatives.map((s) => undeclaredKeys(s, value, at)).reduce((a, b) => (b.length < a.length ? b : a));
  }
  if (schema.allOf?.length) return schema.allOf.flatMap((s) => undeclaredKeys(s, value, at));
  if (Array.isArray(value)) return schema.items ? value.flatMap((v, i) => undeclaredKeys(schema.items!, v, `${at}[${i}]`)) : [];
  if (value === null || typeof value !== 'object') return [];
  // A schema that says nothing (`{}`) accepts anything.
  if (schema.type === undefined && !schema.properties && schema.additionalProperties === undefined) return [];
  const out: string[] = [];
  for (const [key, v] of Object.entries(value)) {
    const extra = schema.additionalProperties;
    const of = schema.properties?.[key] ?? (typeof extra === 'object' ? extra : undefined);
    if (of) out.push(...undeclaredKeys(of, v, `${at}.${key}`));
    else if (extra !== true) out.push(`${at}.${key}`);
  }
  return out;
}

/** Asserts that `body`, answered with `status` by `method path`, is what the route declares (see the file comment). */
export function expectDeclaredResponse(method: string, path: string, body: unknown, status = 200): void {
  const schema = declaredRoute(method, path).responses[status]?.schema;
  expect(schema, `${method} ${path} declares no ${status} body schema`).to.not.equal(undefined);
  const parsed = schema!.safeParse(body);
  const issues = parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  expect(issues, `${method} ${path}: the answer against its declared schema`).to.deep.equal([]);
  const json = z.toJSONSchema(schema!, { target: 'draft-2020-12', unrepresentable: 'any', io: 'input' }) as JsonSchema;
  expect(undeclaredKeys(json, body), `${method} ${path}: keys its declared schema does not have`).to.deep.equal([]);
}
