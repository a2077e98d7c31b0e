import { CodedError } from "../errors";

/** Why a users or tokens operation was refused. */
export type PeopleErrorCode = "user_exists" | "token_exists" | "user_not_found" | "token_not_found" | "last_admin" | "invalid_credentials";

export class PeopleError extends CodedError<PeopleErrorCode> {
  override name = "PeopleError";
}
