import Link from "next/link";
import { TaskForm } from "@/components/tasks/task-form";
import { Card } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { requirePageAccess } from "@/lib/auth/page-access";
import { allows } from "@/lib/auth/principal";

export const metadata = { title: "New task · schedule-sync" };

export default async function NewTaskPage() {
  const principal = await requirePageAccess();
  return (
    <>
      <nav aria-label="Breadcrumb" className="mb-2 text-sm">
        <Link href="/" className="text-blue-700 underline underline-offset-2">
          Tasks
        </Link>{" "}
        <span aria-hidden="true">/</span> New
      </nav>
      <PageHeader title="New task" description="Saved to the database and written to the YAML file at once." />
      <Card className="max-w-3xl">
        <TaskForm mode="create" readOnly={!allows(principal, "editor")} />
      </Card>
    </>
  );
}
