/** The one module through which the app reads and writes the schedule YAML file (DESIGN §3). */
export { parseSchedule, DEFAULT_MAX_BYTES, DEFAULT_MAX_ALIAS_COUNT } from "./parse-schedule";
export type { ParseResult, ParseScheduleOptions, ScheduleMetadata } from "./parse-schedule";
export type { YamlIssue, YamlIssueCode } from "./yaml-issue";
export { formatYamlIssue } from "./yaml-issue";
export { createScheduleStore } from "./create-schedule-store";
export { createMemoryScheduleStore } from "./memory-schedule-store";
export type { MemoryScheduleStore } from "./memory-schedule-store";
export type {
  LockedSchedule,
  ReadResult,
  ScheduleStore,
  ScheduleStoreOptions,
  WriteOptions,
  WriteResult,
} from "./create-schedule-store";
export { applySchedulePatch } from "./apply-schedule-patch";
export type { SchedulePatch } from "./apply-schedule-patch";
export { YamlStoreError } from "./yaml-store-error";
export type { YamlStoreErrorCode } from "./yaml-store-error";
export { taskToYamlText } from "./task-to-yaml-text";
export { taskSourceText } from "./task-source-text";
export { sha256Checksum, tasksChecksum } from "./checksum";
export { isScheduleArtifact } from "./is-schedule-artifact";
