"use client";

import { useId, useState } from "react";
import { changedFields, taskSchema, LIMITS, TASK_FIELDS, type Task, type TaskField } from "@/lib/tasks/task-schema";
import type { ConflictDetail } from "@/lib/client/api-types";
import { useSchedulePreview } from "@/components/tasks/use-schedule-preview";
import { draftFromTask, taskInputFromDraft, type TaskDraft } from "@/lib/client/task-draft";
import { fieldErrorsFromZod, type FieldErrors } from "@/lib/client/field-errors";
import { FIELD_LABELS, formatFieldValue } from "@/lib/client/format";
import { Button } from "@/components/ui/button";
import { Field, fieldAria, inputClass } from "@/components/ui/field";
import { Notice } from "@/components/ui/notice";
import { Spinner } from "@/components/ui/spinner";

type Pick = "yaml" | "db" | "custom";

/** The merge editor's inputs: the id is the conflict's and cannot change. */
type Draft = Omit<TaskDraft, "id">;

function draftValue(task: Task, field: TaskField): Draft[keyof Draft] {
  return draftFromTask(task)[field];
}

/**
 * Field-by-field merge of a conflict's two versions. Starts from the automatic
 * proposal (each field from the side that changed it); fields both sides changed are
 * flagged for a decision. The merged result stays editable before saving.
 */
export function MergeEditor({
  conflict,
  proposal,
  busy,
  serverErrors,
  onSave,
}: {
  conflict: ConflictDetail & { yaml: Task; db: Task };
  proposal: NonNullable<ConflictDetail["proposal"]>;
  busy: boolean;
  serverErrors: FieldErrors;
  onSave: (merged: Task) => void;
}) {
  const id = useId();
  const differing = changedFields(conflict.yaml, conflict.db);
  const [picks, setPicks] = useState<Record<TaskField, Pick>>(() => {
    const initial = {} as Record<TaskField, Pick>;
    for (const field of TASK_FIELDS) initial[field] = proposal.choices[field] === "db" ? "db" : "yaml";
    return initial;
  });
  const [draft, setDraft] = useState<Draft>(() => draftFromTask(proposal.task));
  const [errors, setErrors] = useState<FieldErrors>({});
  const shownErrors = { ...serverErrors, ...errors };

  function pick(field: TaskField, side: "yaml" | "db") {
    setPicks((p) => ({ ...p, [field]: side }));
    setDraft((d) => ({ ...d, [field]: draftValue(side === "yaml" ? conflict.yaml : conflict.db, field) }));
    setErrors((e) => ({ ...e, [field]: undefined }));
  }

  function edit<K extends TaskField>(field: K, value: Draft[K]) {
    setDraft((d) => ({ ...d, [field]: value }));
    const matches = (side: Task) => draftValue(side, field) === value;
    setPicks((p) => ({ ...p, [field]: matches(conflict.yaml) ? "yaml" : matches(conflict.db) ? "db" : "custom" }));
    setErrors((e) => ({ ...e, [field]: undefined }));
  }

  const candidate = taskInputFromDraft({ ...draft, id: conflict.taskId });
  const parsed = taskSchema.safeParse(candidate);
  const toYaml = parsed.success ? changedFields(conflict.yaml, parsed.data) : [];
  const toDb = parsed.success ? changedFields(conflict.db, parsed.data) : [];
  const schedulePreview = useSchedulePreview(draft.schedule, draft.timezone, 1);

  function save(event: React.FormEvent) {
    event.preventDefault();
    const result = taskSchema.safeParse(candidate);
    if (!result.success) {
      setErrors(fieldErrorsFromZod(result.error));
      return;
    }
    setErrors({});
    onSave(result.data);
  }

  const fid = (f: string) => `${id}-${f}`;

  return (
    <form onSubmit={save} noValidate className="space-y-5" data-testid="merge-editor">
      {differing.length > 0 && (
        <fieldset className="space-y-3">
          <legend className="mb-2 text-sm font-semibold text-slate-900">1. Pick a side for each field that differs</legend>
          {proposal.clashes.length > 0 && (
            <p className="text-sm text-amber-900">
              <span aria-hidden="true">⚠ </span>Both sides changed {proposal.clashes.map((f) => FIELD_LABELS[f]).join(", ")}: YAML is pre-selected, check it.
            </p>
          )}
          {differing.map((field) => {
            const clash = proposal.clashes.includes(field);
            return (
              <div key={field} role="radiogroup" aria-labelledby={`${fid(field)}-pick`} className={`rounded-md border p-3 ${clash ? "border-amber-400 bg-amber-50/60" : "border-slate-200"}`}>
                <p id={`${fid(field)}-pick`} className="mb-2 text-sm font-medium">
                  {FIELD_LABELS[field]}
                  {/* The separator keeps a screen reader from running the words together ("Schedulechanged…"). */}
                  <span className="sr-only">: </span>
                  <span className="ml-2 text-xs font-normal text-slate-600">
                    {clash ? "changed on both sides" : proposal.choices[field] === "db" ? "changed in the database only" : "changed in the YAML file only"}
                    {picks[field] === "custom" ? " · edited by hand below" : ""}
                  </span>
                </p>
                <div className="grid gap-2 sm:grid-cols-2">
                  {(["yaml", "db"] as const).map((side) => {
                    const task = side === "yaml" ? conflict.yaml : conflict.db;
                    return (
                      <label
                        key={side}
                        className={`flex cursor-pointer items-start gap-2 rounded-md border p-2 text-sm has-[:focus-visible]:outline-2 has-[:focus-visible]:outline-offset-2 has-[:focus-visible]:outline-blue-600 ${
                          picks[field] === side ? "border-blue-600 bg-blue-50" : "border-slate-300 bg-white"
                        }`}
                      >
                        <input
                          type="radio"
                          name={`${fid(field)}-side`}
                          value={side}
                          checked={picks[field] === side}
                          onChange={() => pick(field, side)}
                          className="mt-0.5 size-4 accent-blue-700"
                          data-testid={`pick-${field}-${side}`}
                        />
                        <span className="min-w-0">
                          <span className="block text-xs font-semibold text-slate-700">{side === "yaml" ? "YAML file" : "Database"}</span>
                          <span className="block font-mono text-xs break-all whitespace-pre-wrap">{formatFieldValue(field, task[field])}</span>
                        </span>
                      </label>
                    );
                  })}
                </div>
              </div>
            );
          })}
        </fieldset>
      )}

      <fieldset className="space-y-4">
        <legend className="mb-2 text-sm font-semibold text-slate-900">2. Check the merged task (you can still edit it)</legend>
        <div className="grid gap-4 md:grid-cols-2">
          <Field id={fid("name")} label="Name" required error={shownErrors.name} className="md:col-span-2">
            <input id={fid("name")} value={draft.name} maxLength={LIMITS.name} onChange={(e) => edit("name", e.target.value)} className={inputClass(Boolean(shownErrors.name))} {...fieldAria(fid("name"), { error: shownErrors.name })} />
          </Field>
          <Field
            id={fid("schedule")}
            label="Schedule (cron)"
            required
            error={shownErrors.schedule}
            hint={schedulePreview ? (schedulePreview.error ? `Not valid yet: ${schedulePreview.error}` : schedulePreview.text) : undefined}
          >
            <input
              id={fid("schedule")}
              value={draft.schedule}
              onChange={(e) => edit("schedule", e.target.value)}
              spellCheck={false}
              className={inputClass(Boolean(shownErrors.schedule), "font-mono")}
              {...fieldAria(fid("schedule"), { error: shownErrors.schedule, hint: schedulePreview ? true : undefined })}
            />
          </Field>
          <Field id={fid("timezone")} label="Time zone" error={shownErrors.timezone}>
            <input id={fid("timezone")} value={draft.timezone} onChange={(e) => edit("timezone", e.target.value)} spellCheck={false} className={inputClass(Boolean(shownErrors.timezone))} {...fieldAria(fid("timezone"), { error: shownErrors.timezone })} />
          </Field>
          <Field id={fid("command")} label="Command" required error={shownErrors.command} className="md:col-span-2">
            <textarea id={fid("command")} rows={2} value={draft.command} maxLength={LIMITS.command} onChange={(e) => edit("command", e.target.value)} spellCheck={false} className={inputClass(Boolean(shownErrors.command), "font-mono")} {...fieldAria(fid("command"), { error: shownErrors.command })} />
          </Field>
          <Field id={fid("description")} label="Description" error={shownErrors.description} className="md:col-span-2">
            <textarea id={fid("description")} rows={2} value={draft.description} maxLength={LIMITS.description} onChange={(e) => edit("description", e.target.value)} className={inputClass(Boolean(shownErrors.description))} {...fieldAria(fid("description"), { error: shownErrors.description })} />
          </Field>
          <Field id={fid("tags")} label="Tags" error={shownErrors.tags} hint="Separated by commas or spaces.">
            <input id={fid("tags")} value={draft.tags} onChange={(e) => edit("tags", e.target.value)} spellCheck={false} className={inputClass(Boolean(shownErrors.tags))} {...fieldAria(fid("tags"), { error: shownErrors.tags, hint: true })} />
          </Field>
          <div className="flex items-end">
            <label htmlFor={fid("enabled")} className="inline-flex items-center gap-2 rounded-md border border-slate-300 bg-white px-3 py-2 text-sm">
              <input id={fid("enabled")} type="checkbox" checked={draft.enabled} onChange={(e) => edit("enabled", e.target.checked)} className="size-4 accent-blue-700" />
              Enabled
            </label>
          </div>
        </div>
      </fieldset>

      {Object.values(shownErrors).some(Boolean) && (
        <Notice tone="error" title="The merged task is not valid yet">
          <ul className="list-disc pl-5">
            {Object.entries(shownErrors)
              .filter(([, message]) => message)
              .map(([field, message]) => (
                <li key={field}>
                  {FIELD_LABELS[field as TaskField] ?? field}: {message}
                </li>
              ))}
          </ul>
        </Notice>
      )}

      <div className="flex flex-wrap items-center gap-3 border-t border-slate-200 pt-4">
        <Button type="submit" variant="primary" disabled={busy} data-testid="save-merge">
          {busy ? <Spinner label="Saving…" /> : "Save merged version"}
        </Button>
        <p className="text-sm text-slate-700" aria-live="polite">
          {parsed.success ? (
            <>
              Writes to the YAML file: {toYaml.length ? toYaml.map((f) => FIELD_LABELS[f]).join(", ") : "nothing"} · to the database:{" "}
              {toDb.length ? toDb.map((f) => FIELD_LABELS[f]).join(", ") : "nothing"}
            </>
          ) : null}
        </p>
      </div>
    </form>
  );
}
