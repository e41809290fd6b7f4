/** Something the gateway did to a request that the client may want to know: a parameter it dropped or changed. */
export interface GatewayWarning {
  /** `parameter_dropped`: not sent at all; `parameter_converted`: sent as the nearest DashScope equivalent. */
  code: 'parameter_dropped' | 'parameter_converted';
  /** The OpenAI parameter, as in `error.param`. */
  param: string;
  message: string;
}
