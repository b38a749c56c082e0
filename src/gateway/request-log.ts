/** What one request's log line reports; filled in as the request moves through the gateway. */
export interface RequestLogRecord {
  provider?: string;
  instance?: string;
  /** uuid of the pool instance that served the request (x-aiclient-instance). */
  instanceId?: string;
  model?: string;
  stream?: boolean;
  /** Bytes of response body sent to the client. */
  bytes: number;
  error?: string;
}
