/** Something the gateway did to a request that the client may want to know: a parameter it dropped. */
export interface GatewayWarning {
  code: 'parameter_dropped';
  /** The OpenAI parameter, as in `error.param`. */
  param: string;
  message: string;
}
