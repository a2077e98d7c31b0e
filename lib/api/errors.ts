import { CodedError } from "../errors";

/** Why the HTTP layer itself refused a request, before or around the domain's work. */
export type ApiErrorCode =
  | "bad_request"
  | "invalid_json"
  | "payload_too_large"
  | "validation_error"
  | "not_found"
  | "method_not_allowed"
  | "unauthorized"
  | "invalid_token"
  | "forbidden"
  | "forbidden_origin"
  | "forbidden_host"
  | "too_many_attempts"
  | "shutting_down"
  | "database_unavailable"
  /** Configured elsewhere (a webhook of the WEBHOOKS environment variable): change it there. */
  | "read_only"
  | "internal_error";

export class ApiError extends CodedError<ApiErrorCode> {
  override name = "ApiError";
}

export const notFound = (what: string, id: string) => new ApiError("not_found", `${what} '${id}' does not exist`);
