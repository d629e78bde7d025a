/** An error the local EventBridge answers with an HTTP status and an AWS error type, as AWS would. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}
