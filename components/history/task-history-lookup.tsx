"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { TASK_ID_PATTERN } from "@/lib/tasks/task-fields";
import { Button } from "@/components/ui/button";
import { inputClass } from "@/components/ui/field";

/** Jumps to one task's own history (it works for deleted tasks too). */
export function TaskHistoryLookup() {
  const router = useRouter();
  const [id, setId] = useState("");
  const [error, setError] = useState<string | null>(null);
  return (
    <form
      className="flex flex-wrap items-end gap-2"
      onSubmit={(event) => {
        event.preventDefault();
        const taskId = id.trim();
        if (!TASK_ID_PATTERN.test(taskId)) {
          setError("Enter a task id: lowercase letters, digits, “-” or “_”.");
          return;
        }
        setError(null);
        router.push(`/tasks/${taskId}#history`);
      }}
    >
      <div>
        <label htmlFor="history-task-id" className="mb-1 block text-xs font-semibold text-slate-700">
          Task id
        </label>
        <input
          id="history-task-id"
          value={id}
          onChange={(e) => setId(e.target.value)}
          placeholder="e.g. daily-backup"
          autoCapitalize="none"
          spellCheck={false}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? "history-task-id-error" : undefined}
          className={inputClass(Boolean(error), "w-64 max-w-full font-mono")}
        />
        {error && (
          <p id="history-task-id-error" className="mt-1 text-sm text-red-700">
            {error}
          </p>
        )}
      </div>
      <Button type="submit">Show its history</Button>
    </form>
  );
}
