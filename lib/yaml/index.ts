/**
 * The one way the app reads and writes the schedule file, by stage:
 * - parse/: text → validated tasks, or issues with line and column (the `yaml` library composes);
 * - write/: tasks → text: rendering values and patching the text in place;
 * - fast/: the speed layer, fenced: the line scanner and the incremental re-parse each give
 *   the library's own result or step aside (null → the library's parser, a full parse), and
 *   tests/yaml/fast/ checks them against the library on generated and mutated files;
 * - store/: the file on disk: lock, settle, atomic and guarded replace, backups, symlinks.
 */
export { parseSchedule, DEFAULT_MAX_BYTES, DEFAULT_MAX_ALIAS_COUNT } from "./parse/parse-schedule";
export type { ParseResult, ParseScheduleOptions, ScheduleMetadata } from "./parse/parse-schedule";
export type { YamlIssue, YamlIssueCode } from "./parse/yaml-issue";
export { formatYamlIssue } from "./parse/yaml-issue";
export { createScheduleStore } from "./store/create-schedule-store";
export { createMemoryScheduleStore } from "./store/memory-schedule-store";
export type { MemoryScheduleStore } from "./store/memory-schedule-store";
export type {
  LockedSchedule,
  ReadResult,
  ScheduleStore,
  ScheduleStoreOptions,
  WriteOptions,
  WriteResult,
} from "./store/create-schedule-store";
export { applySchedulePatch } from "./write/apply-schedule-patch";
export type { SchedulePatch } from "./write/apply-schedule-patch";
export { YamlStoreError } from "./yaml-store-error";
export type { YamlStoreErrorCode } from "./yaml-store-error";
export { taskToYamlText } from "./write/task-to-yaml-text";
export { taskSourceText } from "./write/task-source-text";
export { sha256Checksum, tasksChecksum } from "./parse/checksum";
export { isScheduleArtifact } from "./store/is-schedule-artifact";
