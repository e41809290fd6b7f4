import { invalidRequest } from '../errors/gateway-error.js';
import type { GatewayWarning } from './gateway-warning.js';

/**
 * What happens to one OpenAI parameter on its way to DashScope. Every rule sees the parameter only
 * when it is set: `null` means "not set" wherever OpenAI's schema makes a parameter nullable.
 */
export type ParameterRule<Value> =
  /** Read by the endpoint's own converter (`model`, `messages`, `stream`…). */
  | { action: 'endpoint' }
  /** Copied unchanged to a dotted path of the DashScope body, e.g. `parameters.top_p`. */
  | { action: 'move'; to: string }
  /** Converted, then written to a dotted path of the DashScope body. */
  | { action: 'convert'; to: string; convert: (value: NonNullable<Value>) => unknown }
  /** DashScope has no equivalent: dropped, with a warning unless the value is a no-op (`frequency_penalty: 0`). */
  | { action: 'drop'; reason: string; isNoOp?: (value: NonNullable<Value>) => boolean }
  /** Not translated: a 400 `unsupported_parameter`, unless the value is a no-op (`n: 1`), which is dropped. */
  | { action: 'refuse'; isNoOp: (value: NonNullable<Value>) => boolean; reason: string };

/** One rule per parameter of the endpoint's request type: a parameter without a rule does not compile. */
export type ParameterTable<Request> = { readonly [Key in keyof Request]-?: ParameterRule<Request[Key]> };

/**
 * Validation half of a table, for the endpoint's parser: throws for refused values, returns a warning
 * for each dropped parameter.
 */
export function checkParameters<Request extends object>({
  table,
  request,
}: {
  table: ParameterTable<Request>;
  request: Request;
}): GatewayWarning[] {
  const warnings: GatewayWarning[] = [];
  for (const [param, value, rule] of setParameters(table, request)) {
    if (rule.action === 'drop' && rule.isNoOp?.(value) !== true) {
      warnings.push({ code: 'parameter_dropped', param, message: `Parameter '${param}' was dropped: ${rule.reason}` });
    } else if (rule.action === 'refuse' && !rule.isNoOp(value)) {
      throw invalidRequest(`Unsupported value for '${param}': ${rule.reason}`, { param, code: 'unsupported_parameter' });
    }
  }
  return warnings;
}

/** Translation half, for the endpoint's converter: writes moved and converted values into `target`. */
export function moveParameters<Request extends object>({
  table,
  request,
  target,
}: {
  table: ParameterTable<Request>;
  request: Request;
  target: Record<string, unknown>;
}): void {
  for (const [, value, rule] of setParameters(table, request)) {
    if (rule.action === 'move') setPath(target, rule.to, value);
    else if (rule.action === 'convert') setPath(target, rule.to, rule.convert(value));
  }
}

function* setParameters<Request extends object>(
  table: ParameterTable<Request>,
  request: Request,
): Generator<[string, NonNullable<unknown>, ParameterRule<unknown>]> {
  for (const param of Object.keys(table) as Array<keyof Request & string>) {
    const value = request[param];
    if (value !== null && value !== undefined) yield [param, value, table[param] as ParameterRule<unknown>];
  }
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  const last = keys.pop() as string;
  let node = target;
  for (const key of keys) {
    const next = node[key];
    if (typeof next === 'object' && next !== null) node = next as Record<string, unknown>;
    else node = node[key] = {};
  }
  node[last] = value;
}
