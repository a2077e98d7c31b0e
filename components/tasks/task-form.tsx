"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useDeferredValue, useEffect, useId, useRef, useState } from "react";
import { createTaskSchema, changedFields, patchTaskSchema, taskSchema, LIMITS, type Task, type TaskField } from "@/lib/tasks/task-schema";
import { ApiError, apiFetch, errorMessage } from "@/lib/client/api-fetch";
import type { StoredTask, TaskWriteResult } from "@/lib/client/api-types";
import { useSchedulePreview } from "./use-schedule-preview";
import { EMPTY_DRAFT, draftFromTask, taskInputFromDraft, type TaskDraft } from "@/lib/client/task-draft";
import { fieldErrorsFromApi, fieldErrorsFromZod, type FieldErrors } from "@/lib/client/field-errors";
import { FIELD_LABELS, SOURCE_LABELS, formatDateTime, formatFieldValue } from "@/lib/client/format";
import { mergeEdits, type MergedEdits } from "@/lib/client/merge-edits";
import { Button } from "@/components/ui/button";
import { Field, fieldAria, inputClass } from "@/components/ui/field";
import { Notice } from "@/components/ui/notice";
import { Spinner } from "@/components/ui/spinner";
import { FieldValuesTable } from "./field-values-table";
import { TaskSavedNotice } from "./task-saved-notice";

type FormValues = TaskDraft;

const EMPTY = EMPTY_DRAFT;

/** In the order the inputs appear, so the first error gets focus. */
const FIELD_ORDER = ["name", "id", "timezone", "schedule", "command", "description", "tags", "enabled"] as const;

const valuesFrom = draftFromTask;
const bodyFrom = taskInputFromDraft;

function sameValues(a: FormValues, b: FormValues): boolean {
  return FIELD_ORDER.every((k) => a[k] === b[k]);
}

function slugify(name: string): string {
  return name
    .toLowerCase()
    .normalize("NFKD")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 64);
}

type Outcome =
  | { kind: "saved"; result: TaskWriteResult; fields: TaskField[]; mergedWith?: { version: number; source: string; fields: TaskField[] } }
  | { kind: "clash"; current: StoredTask; mine: Task; merge: MergedEdits; savedBy: string | null }
  | { kind: "error"; message: string; title?: string };

/** A save answered 409 with the newer version. */
function staleCurrent(error: unknown): StoredTask | null {
  if (!(error instanceof ApiError) || error.code !== "stale_version") return null;
  return (error.details as { current?: StoredTask } | undefined)?.current ?? null;
}

/** Who saved the version a 409 answered with (issue #18): "bob in the dashboard". */
function staleSavedBy(error: unknown): string | null {
  return error instanceof ApiError ? ((error.details as { savedBy?: string | null } | undefined)?.savedBy ?? null) : null;
}

/**
 * Create or edit a task. Validates with the same zod schema as the API, shows the
 * API's field errors next to their inputs, and sends `version` so two people editing
 * the same task never silently overwrite each other.
 */
export function TaskForm({
  mode,
  task,
  lastChangedBy = null,
  readOnly = false,
}: {
  mode: "create" | "edit";
  task?: StoredTask;
  lastChangedBy?: string | null;
  /** A viewer's form: every control disabled. */
  readOnly?: boolean;
}) {
  const router = useRouter();
  const formId = useId();
  const [base, setBase] = useState<StoredTask | null>(task ?? null);
  const [values, setValues] = useState<FormValues>(task ? valuesFrom(task) : EMPTY);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [saving, setSaving] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [idTouched, setIdTouched] = useState(mode === "edit");
  const [zones, setZones] = useState<string[]>([]);
  const summaryRef = useRef<HTMLDivElement>(null);
  const fieldRefs = useRef<Partial<Record<string, HTMLElement | null>>>({});

  useEffect(() => {
    try {
      setZones(["UTC", ...Intl.supportedValuesOf("timeZone").filter((z) => z !== "UTC")]);
    } catch {
      setZones(["UTC"]);
    }
  }, []);

  const dirty = base ? !sameValues(values, valuesFrom(base)) : !sameValues(values, EMPTY);
  // Someone else saved a newer version while this form was open (the page refreshes live).
  const newer = mode === "edit" && task && base && task.version !== base.version && !saving ? task : null;

  useEffect(() => {
    if (newer && !dirty) {
      setBase(newer);
      setValues(valuesFrom(newer));
    }
  }, [newer, dirty]);

  const schedule = useDeferredValue(values.schedule);
  const timezone = useDeferredValue(values.timezone);
  const preview = useSchedulePreview(schedule, timezone, 3);
  const dst = preview?.dst ?? [];

  function set<K extends keyof FormValues>(key: K, value: FormValues[K]) {
    setValues((v) => {
      const next = { ...v, [key]: value };
      if (key === "name" && mode === "create" && !idTouched) next.id = slugify(String(value));
      return next;
    });
    // The person is fixing it: the old message goes (the derived id changes with the name).
    const touched = key === "name" && mode === "create" && !idTouched ? [key, "id"] : [key];
    if (touched.some((k) => errors[k])) setErrors((e) => ({ ...e, ...Object.fromEntries(touched.map((k) => [k, undefined])) }));
  }

  function showErrors(next: FieldErrors) {
    setErrors(next);
    const first = FIELD_ORDER.find((f) => next[f]);
    requestAnimationFrame(() => {
      if (first) fieldRefs.current[first]?.focus();
      else summaryRef.current?.focus();
    });
  }

  function loadTheirs(current: StoredTask) {
    setBase(current);
    setValues(valuesFrom(current));
    setErrors({});
    setOutcome(null);
  }

  async function submit(event: React.FormEvent) {
    event.preventDefault();
    setOutcome(null);
    const body = bodyFrom(mode === "edit" && base ? { ...values, id: base.id } : values);
    const parsed = (mode === "create" ? createTaskSchema : taskSchema).safeParse(body);
    if (!parsed.success) {
      showErrors(fieldErrorsFromZod(parsed.error));
      return;
    }
    setErrors({});

    if (mode === "edit" && base) {
      const fields = changedFields(base, parsed.data);
      if (fields.length === 0) {
        setOutcome({ kind: "error", title: "Nothing to save", message: "The task already has these values." });
        return;
      }
      const checked = patchTaskSchema.safeParse({ ...Object.fromEntries(fields.map((f) => [f, parsed.data[f]])), version: base.version });
      if (!checked.success) {
        showErrors(fieldErrorsFromZod(checked.error));
        return;
      }
      await saveEdits(base, parsed.data);
      return;
    }

    setSaving(true);
    try {
      const result = await apiFetch<TaskWriteResult>("/api/tasks", { method: "POST", json: parsed.data });
      const params = new URLSearchParams({ created: "1" });
      if (result.merged) params.set("merged", "1");
      router.push(`/tasks/${encodeURIComponent(parsed.data.id)}?${params}`);
    } catch (error) {
      failed(error);
    } finally {
      setSaving(false);
    }
  }

  /**
   * Saves the form's edits of `opened` (the version the form was editing). When someone saved a
   * newer version meanwhile, the edits are merged into it field by field and saved again; only
   * a field both changed to different values stops the save and asks. `keep` lists clashing
   * fields the person chose to overwrite with their own value.
   */
  async function saveEdits(opened: StoredTask, mine: Task, keep: TaskField[] = []) {
    setSaving(true);
    setOutcome(null);
    let onto = opened;
    let patch: Partial<Task> = Object.fromEntries(changedFields(opened, mine).map((f) => [f, mine[f]]));
    let mergedWith: { version: number; source: string; fields: TaskField[] } | undefined;
    try {
      for (let attempt = 0; attempt < 3; attempt++) {
        try {
          const result = await apiFetch<TaskWriteResult>(`/api/tasks/${encodeURIComponent(opened.id)}`, { method: "PATCH", json: { ...patch, version: onto.version } });
          if (result.task) {
            setBase(result.task);
            setValues(valuesFrom(result.task));
          }
          setOutcome({ kind: "saved", result, fields: Object.keys(patch) as TaskField[], mergedWith });
          // Fresh server data, and drop one-off notices such as ?created=1 from the address.
          router.replace(`/tasks/${encodeURIComponent(opened.id)}`, { scroll: false });
          return;
        } catch (error) {
          const current = staleCurrent(error);
          if (!current) throw error;
          const merge = mergeEdits(opened, mine, current);
          const clash = merge.clash.filter((f) => !keep.includes(f));
          if (clash.length > 0) {
            setOutcome({ kind: "clash", current, mine, merge: { ...merge, clash }, savedBy: staleSavedBy(error) });
            requestAnimationFrame(() => summaryRef.current?.focus());
            return;
          }
          for (const f of keep) (merge.patch as Record<string, unknown>)[f] = mine[f];
          if (Object.keys(merge.patch).length === 0) {
            // Their version already holds every one of my edits.
            setBase(current);
            setValues(valuesFrom(current));
            setOutcome({ kind: "saved", result: { task: current, runId: "", conflict: null, merged: false }, fields: [], mergedWith: { version: current.version, source: current.source, fields: merge.theirs } });
            return;
          }
          onto = current;
          patch = merge.patch;
          mergedWith = { version: current.version, source: current.source, fields: merge.theirs };
        }
      }
      setOutcome({ kind: "error", title: "Could not save", message: "The task kept changing while saving. Try again." });
    } catch (error) {
      failed(error);
    } finally {
      setSaving(false);
    }
  }

  function failed(error: unknown) {
    if (error instanceof ApiError && error.code === "already_exists") {
      showErrors({ id: "A task with this id already exists. Pick another id, or edit that task." });
      return;
    }
    const apiFields = fieldErrorsFromApi(error);
    if (apiFields) {
      showErrors(apiFields);
      return;
    }
    const title =
      error instanceof ApiError && error.code === "yaml_invalid"
        ? "The YAML file is invalid, so nothing was saved"
        : error instanceof ApiError && error.status === 404
          ? "This task no longer exists"
          : "Could not save";
    setOutcome({ kind: "error", title, message: errorMessage(error) });
    requestAnimationFrame(() => summaryRef.current?.focus());
  }

  const errorList = FIELD_ORDER.filter((f) => errors[f]);
  const formError = errors.form ?? errors.version;
  const ref = (name: string) => (el: HTMLElement | null) => {
    fieldRefs.current[name] = el;
  };
  const fid = (name: string) => `${formId}-${name}`;

  return (
    <form onSubmit={submit} noValidate aria-describedby={`${formId}-required`} className="space-y-5" data-testid="task-form">
      {/* A viewer sees the form and cannot send it (the server would refuse it too). */}
      <fieldset disabled={readOnly} className="contents">
      <div ref={summaryRef} tabIndex={-1} className="space-y-3 focus:outline-none" aria-live="polite">
        {newer && dirty && outcome?.kind !== "clash" && (
          <Notice
            tone="warning"
            title="Someone else changed this task while you were editing"
            actions={
              <>
                <Button size="sm" variant="primary" onClick={() => loadTheirs(newer)}>
                  Load their version (discard my edits)
                </Button>
              </>
            }
          >
            <p>
              It is now at version {newer.version} (changed by <span data-testid="newer-saved-by">{lastChangedBy ?? SOURCE_LABELS[newer.source] ?? newer.source}</span>, {formatDateTime(newer.updatedAt)}). Saving merges
              your edits into it field by field; only a field you both changed asks which value wins.
            </p>
          </Notice>
        )}
        {(errorList.length > 0 || formError) && (
          <Notice tone="error" title={`Please fix ${errorList.length === 1 ? "this field" : `these ${errorList.length} fields`}`}>
            <ul className="list-disc pl-5">
              {errorList.map((f) => (
                <li key={f}>
                  <a href={`#${fid(f)}`} className="underline">
                    {FIELD_LABELS[f]}
                  </a>
                  : {errors[f]}
                </li>
              ))}
              {formError && <li>{formError}</li>}
            </ul>
          </Notice>
        )}
        {outcome?.kind === "clash" && base && (
          <ClashNotice
            outcome={outcome}
            opened={base}
            saving={saving}
            onKeepMine={() => saveEdits(base, outcome.mine, outcome.merge.clash)}
            onTakeTheirs={() => saveEdits(base, { ...outcome.mine, ...Object.fromEntries(outcome.merge.clash.map((f) => [f, outcome.current[f]])) })}
            onReload={() => loadTheirs(outcome.current)}
          />
        )}
        {outcome?.kind === "error" && (
          <Notice tone="error" title={outcome.title}>
            <p>{outcome.message}</p>
          </Notice>
        )}
        {outcome?.kind === "saved" && (
          <>
            {outcome.mergedWith && (
              <Notice tone="info" title={`Merged with version ${outcome.mergedWith.version}, saved meanwhile`}>
                <p>
                  {outcome.mergedWith.fields.length
                    ? `${outcome.mergedWith.fields.map((f) => FIELD_LABELS[f]).join(", ")} ${outcome.mergedWith.fields.length === 1 ? "was" : "were"} changed by ${SOURCE_LABELS[outcome.mergedWith.source] ?? outcome.mergedWith.source} and kept; your edits were saved on top.`
                    : "Your edits were saved on top of it."}
                </p>
              </Notice>
            )}
            {outcome.fields.length > 0 ? (
              <TaskSavedNotice result={outcome.result} fields={outcome.fields} />
            ) : (
              <Notice tone="success" title="Nothing left to save">
                <p>The newer version already has your edits.</p>
              </Notice>
            )}
          </>
        )}
      </div>

      <p id={`${formId}-required`} className="text-xs text-slate-600">
        Fields marked <span className="text-red-700">*</span> are required.
      </p>

      <div className="grid gap-5 md:grid-cols-2">
        <Field id={fid("name")} label="Name" required error={errors.name} className="md:col-span-2">
          <input
            id={fid("name")}
            ref={ref("name")}
            value={values.name}
            onChange={(e) => set("name", e.target.value)}
            maxLength={LIMITS.name}
            required
            className={inputClass(Boolean(errors.name))}
            {...fieldAria(fid("name"), { error: errors.name })}
          />
        </Field>

        <Field
          id={fid("id")}
          label="ID"
          required
          error={errors.id}
          hint={mode === "create" ? "The task's key in the YAML file: lowercase letters, digits, “-” or “_”. To change it later, rename the key in the file (its history follows)." : "The key in the YAML file; rename the key there to change it (its history follows)."}
        >
          <input
            id={fid("id")}
            ref={ref("id")}
            value={values.id}
            onChange={(e) => {
              setIdTouched(true);
              set("id", e.target.value);
            }}
            readOnly={mode === "edit"}
            maxLength={64}
            required
            autoCapitalize="none"
            spellCheck={false}
            className={inputClass(Boolean(errors.id), `font-mono ${mode === "edit" ? "bg-slate-100 text-slate-700" : ""}`)}
            {...fieldAria(fid("id"), { error: errors.id, hint: true })}
          />
        </Field>

        <Field id={fid("timezone")} label="Time zone" error={errors.timezone} hint="IANA name, e.g. UTC, Europe/Berlin, America/New_York.">
          <input
            id={fid("timezone")}
            ref={ref("timezone")}
            value={values.timezone}
            onChange={(e) => set("timezone", e.target.value)}
            list={`${formId}-zones`}
            autoCapitalize="none"
            spellCheck={false}
            className={inputClass(Boolean(errors.timezone))}
            {...fieldAria(fid("timezone"), { error: errors.timezone, hint: true })}
          />
          <datalist id={`${formId}-zones`}>
            {zones.map((z) => (
              <option key={z} value={z} />
            ))}
          </datalist>
        </Field>

        <Field
          id={fid("schedule")}
          label="Schedule (cron)"
          required
          error={errors.schedule}
          className="md:col-span-2"
          hint={
            <div aria-live="polite" data-testid="schedule-preview">
              {preview === null ? (
                <span>5 fields (minute hour day month weekday) or 6 with seconds first, e.g. “0 2 * * *” for 02:00 every day; or @daily, @hourly, …</span>
              ) : preview.error ? (
                // Once the form shows the field's error, the preview does not say it a second time.
                errors.schedule ? null : <span className="text-amber-800">Not a valid cron expression yet: {preview.error}</span>
              ) : (
                <span>
                  <strong className="font-semibold text-slate-800">{preview.text}</strong>
                  {preview.zoneError ? (
                    <span className="text-amber-800"> · next runs need a known time zone: {preview.zoneError}</span>
                  ) : (
                    preview.next.length > 0 && <> · next: {preview.next.map((r) => r.label).join(" · ")}</>
                  )}
                </span>
              )}
              {dst.length > 0 && (
                <span className="mt-1 block text-amber-800" data-testid="dst-warning">
                  <span aria-hidden="true">⚠ </span>
                  {dst[0]!.message}
                  {dst.length > 1 && ` (and ${dst.length - 1} more clock change${dst.length > 2 ? "s" : ""} in the next 12 months)`}
                </span>
              )}
            </div>
          }
        >
          <input
            id={fid("schedule")}
            ref={ref("schedule")}
            value={values.schedule}
            onChange={(e) => set("schedule", e.target.value)}
            placeholder="0 2 * * *"
            required
            autoCapitalize="none"
            spellCheck={false}
            className={inputClass(Boolean(errors.schedule), "font-mono")}
            {...fieldAria(fid("schedule"), { error: errors.schedule, hint: true })}
          />
        </Field>

        <Field id={fid("command")} label="Command" required error={errors.command} className="md:col-span-2">
          <textarea
            id={fid("command")}
            ref={ref("command")}
            value={values.command}
            onChange={(e) => set("command", e.target.value)}
            rows={2}
            maxLength={LIMITS.command}
            required
            spellCheck={false}
            className={inputClass(Boolean(errors.command), "font-mono")}
            {...fieldAria(fid("command"), { error: errors.command })}
          />
        </Field>

        <Field id={fid("description")} label="Description" error={errors.description} className="md:col-span-2">
          <textarea
            id={fid("description")}
            ref={ref("description")}
            value={values.description}
            onChange={(e) => set("description", e.target.value)}
            rows={2}
            maxLength={LIMITS.description}
            className={inputClass(Boolean(errors.description))}
            {...fieldAria(fid("description"), { error: errors.description })}
          />
        </Field>

        <Field id={fid("tags")} label="Tags" error={errors.tags} hint={`Separated by commas or spaces; up to ${LIMITS.tags}.`}>
          <input
            id={fid("tags")}
            ref={ref("tags")}
            value={values.tags}
            onChange={(e) => set("tags", e.target.value)}
            placeholder="ops, db"
            autoCapitalize="none"
            spellCheck={false}
            className={inputClass(Boolean(errors.tags))}
            {...fieldAria(fid("tags"), { error: errors.tags, hint: true })}
          />
        </Field>

        <div>
          <span className="mb-1 block text-sm font-medium text-slate-800" aria-hidden="true">
            Status
          </span>
          <label htmlFor={fid("enabled")} className="inline-flex items-center gap-2 rounded-md border border-slate-300 bg-white px-3 py-2 text-sm">
            <input
              id={fid("enabled")}
              ref={ref("enabled")}
              type="checkbox"
              checked={values.enabled}
              onChange={(e) => set("enabled", e.target.checked)}
              className="size-4 accent-blue-700"
              {...fieldAria(fid("enabled"), { error: errors.enabled })}
            />
            Enabled
          </label>
          {errors.enabled && (
            <p id={`${fid("enabled")}-error`} className="mt-1 text-sm text-red-700">
              {errors.enabled}
            </p>
          )}
        </div>
      </div>

      <div className="flex flex-wrap items-center gap-3 border-t border-slate-200 pt-4">
        <Button type="submit" variant="primary" disabled={saving} data-testid="save-task">
          {saving ? <Spinner label="Saving…" /> : mode === "create" ? "Create task" : "Save changes"}
        </Button>
        {mode === "edit" && base && (
          <Button
            onClick={() => {
              setValues(valuesFrom(base));
              setErrors({});
              setOutcome(null);
            }}
            disabled={saving || !dirty}
          >
            Undo my edits
          </Button>
        )}
        <Link href="/" className="text-sm text-slate-700 underline underline-offset-2">
          Back to tasks
        </Link>
        {mode === "edit" && base && (
          <span className="ml-auto text-xs text-slate-600">
            Editing version {base.version}
            {dirty ? " · unsaved changes" : ""}
          </span>
        )}
      </div>
      </fieldset>
    </form>
  );
}

/** A save that met a newer version changing the same field differently: mine and theirs, per field. */
function ClashNotice({
  outcome,
  opened,
  saving,
  onKeepMine,
  onTakeTheirs,
  onReload,
}: {
  outcome: Extract<Outcome, { kind: "clash" }>;
  opened: StoredTask;
  saving: boolean;
  onKeepMine: () => void;
  onTakeTheirs: () => void;
  onReload: () => void;
}) {
  const { current, mine, merge } = outcome;
  const others = [...merge.mine, ...merge.theirs];
  return (
    <Notice
      tone="warning"
      title={`You and ${outcome.savedBy ?? SOURCE_LABELS[current.source] ?? current.source} both changed ${merge.clash.map((f) => FIELD_LABELS[f]).join(", ")}`}
      actions={
        <>
          <Button size="sm" variant="primary" onClick={onKeepMine} disabled={saving}>
            Keep mine for {merge.clash.length === 1 ? "this field" : "these fields"}
          </Button>
          <Button size="sm" onClick={onTakeTheirs} disabled={saving}>
            Take theirs, save the rest
          </Button>
          <Button size="sm" variant="ghost" onClick={onReload} disabled={saving}>
            Discard my edits
          </Button>
        </>
      }
    >
      <p>
        Nothing was saved yet: while you were editing version {opened.version}, it was saved as version {current.version}
        {outcome.savedBy && (
          <>
            {" "}
            by <span data-testid="stale-saved-by">{outcome.savedBy}</span>
          </>
        )}{" "}
        ({formatDateTime(current.updatedAt)}).
        {others.length > 0 && ` ${others.map((f) => FIELD_LABELS[f]).join(", ")} ${others.length === 1 ? "merges" : "merge"} on ${others.length === 1 ? "its" : "their"} own.`}
      </p>
      <FieldValuesTable
        caption="Fields both of you changed"
        headers={["Mine", "Theirs"]}
        testId="clash-table"
        rows={merge.clash.map((f) => ({ field: f, values: [formatFieldValue(f, mine[f]), formatFieldValue(f, current[f])] }))}
      />
    </Notice>
  );
}
