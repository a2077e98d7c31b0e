import type { ZodError } from "zod";
import { ApiError } from "./api-fetch";

/** Error messages by form field name (`tags.2` is reported on `tags`). */
export type FieldErrors = Partial<Record<string, string>>;

function fieldName(path: string): string {
  const head = path.split(".")[0];
  return head === "" ? "form" : head;
}

function add(errors: FieldErrors, field: string, message: string): void {
  const name = fieldName(field);
  errors[name] = errors[name] ? `${errors[name]}; ${message}` : message;
}

/** Maps a validation error's `details: [{field, message}]` to the form's inputs. */
export function fieldErrorsFromApi(error: unknown): FieldErrors | null {
  if (!(error instanceof ApiError) || !Array.isArray(error.details)) return null;
  const errors: FieldErrors = {};
  for (const detail of error.details as { field?: unknown; message?: unknown }[]) {
    if (typeof detail?.message !== "string") continue;
    add(errors, typeof detail.field === "string" ? detail.field : "", detail.message);
  }
  return Object.keys(errors).length ? errors : null;
}

/** The same mapping for a client-side zod parse, so both show up in the same place. */
export function fieldErrorsFromZod(error: ZodError): FieldErrors {
  const errors: FieldErrors = {};
  for (const issue of error.issues) add(errors, issue.path.join("."), issue.message);
  return errors;
}
