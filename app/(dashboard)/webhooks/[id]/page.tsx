import { notFound } from "next/navigation";
import { Badge, type BadgeTone } from "@/components/ui/badge";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { RelativeTime } from "@/components/ui/relative-time";
import { Table, TableCell, TableRow } from "@/components/ui/table";
import { requirePageAccess } from "@/lib/auth/page-access";
import { getServices } from "@/lib/core/services";
import { webhookIdSchema, webhookServices } from "@/lib/webhooks/webhook-service";

export const dynamic = "force-dynamic";
export const metadata = { title: "Delivery log · schedule-sync" };

const TONE: Record<string, BadgeTone> = { delivered: "success", pending: "warning", failed: "danger" };

export default async function WebhookDeliveriesPage({ params }: { params: Promise<{ id: string }> }) {
  await requirePageAccess("admin");
  const id = webhookIdSchema.safeParse((await params).id);
  if (!id.success) notFound();
  const { webhooks } = webhookServices(getServices().ops);
  const hook = await webhooks.get(id.data);
  if (!hook) notFound();
  const deliveries = await webhooks.deliveries(hook.id, 100);
  return (
    <>
      <PageHeader title={`Delivery log: ${hook.name}`} description={<span className="break-all font-mono">{hook.url}</span>} />
      {deliveries.length === 0 ? (
        <EmptyState title="Nothing sent yet">Deliveries appear here as events happen.</EmptyState>
      ) : (
        <Table
          caption={`Deliveries to ${hook.name}, newest first`}
          columns={[{ label: "Event" }, { label: "Status" }, { label: "Attempts" }, { label: "Last answer" }, { label: "Created" }]}
          testId="deliveries-table"
        >
          {deliveries.map((d) => (
            <TableRow key={d.id} data-delivery={d.id}>
              <TableCell>
                <code className="font-mono text-sm">{d.event}</code>
              </TableCell>
              <TableCell label="Status">
                <Badge tone={TONE[d.status] ?? "neutral"}>{d.status}</Badge>
                {d.status === "pending" && d.attempts > 0 && (
                  <div className="mt-1 text-xs text-slate-600">
                    next try <RelativeTime iso={d.nextAttemptAt} />
                  </div>
                )}
              </TableCell>
              <TableCell label="Attempts">{d.attempts}</TableCell>
              <TableCell label="Last answer">
                {d.lastStatus !== null && <span className="font-mono">HTTP {d.lastStatus}</span>} {d.lastError && <span className="text-red-800">{d.lastError}</span>}
                {d.lastResponse && <div className="mt-1 max-w-md truncate font-mono text-xs text-slate-600">{d.lastResponse}</div>}
              </TableCell>
              <TableCell label="Created">
                <RelativeTime iso={d.createdAt} />
              </TableCell>
            </TableRow>
          ))}
        </Table>
      )}
    </>
  );
}
