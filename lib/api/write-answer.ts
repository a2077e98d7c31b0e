import { NextResponse } from "next/server";
import type { TaskWriteResult } from "../sync/engine/sync-engine";

/**
 * The answer to a task write. 200 (201 for a creation) means the value is in the database and
 * the file. A write that met an unsynced hand edit of the same field is in the database only,
 * with a conflict open for a person: 202, with the conflict in the body.
 */
export function writeAnswer(result: TaskWriteResult, status: 200 | 201 = 200): Response {
  return NextResponse.json(result, { status: result.conflict ? 202 : status });
}
