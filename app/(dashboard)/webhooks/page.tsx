import Link from "next/link";
import { Badge } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { Table, TableCell, TableRow } from "@/components/ui/table";
import { WebhookActions } from "@/components/webhooks/webhook-actions";
import { WebhookForm } from "@/components/webhooks/webhook-form";
import { requirePageAccess } from "@/lib/auth/page-access";
import { getServices } from "@/lib/core/services";
import { webhookServices } from "@/lib/webhooks/webhook-service";

export const dynamic = "force-dynamic";
export const metadata = { title: "Webhooks · schedule-sync" };

export default async function WebhooksPage() {
  await requirePageAccess("admin");
  const hooks = await webhookServices(getServices().ops).webhooks.list();
  return (
    <>
      <PageHeader
        title="Webhooks"
        description="Systems that act on the schedule (a crontab generator, an operator, a unit reloader) hear of changes here: every event is signed with the webhook's secret, stored, and retried until delivered."
      />
      <Card title="Webhooks" className="mb-4">
        {hooks.length === 0 ? (
          <EmptyState title="No webhooks yet">Add one below, or set WEBHOOKS in the server's environment.</EmptyState>
        ) : (
          <Table caption="Webhooks" framed={false} columns={[{ label: "Webhook" }, { label: "Events" }, { label: "Deliveries" }, { label: "" }]} testId="webhooks-table">
            {hooks.map((hook) => (
              <TableRow key={hook.id} data-webhook={hook.name}>
                <TableCell>
                  <Link href={`/webhooks/${hook.id}`} className="font-medium text-blue-800 underline-offset-2 hover:underline">
                    {hook.name}
                  </Link>
                  <div className="break-all font-mono text-xs text-slate-600">{hook.url}</div>
                  <div className="mt-1 flex flex-wrap gap-1">
                    {!hook.enabled && <Badge tone="warning">paused</Badge>}
                    {hook.format === "slack" && <Badge tone="info">Slack payload</Badge>}
                    {hook.source === "env" && <Badge>from WEBHOOKS</Badge>}
                  </div>
                </TableCell>
                <TableCell label="Events">
                  <span className="font-mono text-xs">{hook.events.join(", ")}</span>
                </TableCell>
                <TableCell label="Deliveries">
                  {hook.pending > 0 && <Badge tone="warning">{hook.pending} pending</Badge>} {hook.failed > 0 && <Badge tone="danger">{hook.failed} failed today</Badge>}
                  {hook.pending === 0 && hook.failed === 0 && <span className="text-slate-600">up to date</span>}{" "}
                  <Link href={`/webhooks/${hook.id}`} className="text-sm text-blue-800 underline-offset-2 hover:underline">
                    Delivery log
                  </Link>
                </TableCell>
                <TableCell>{hook.source === "ui" ? <WebhookActions id={hook.id} name={hook.name} enabled={hook.enabled} /> : <span className="text-sm text-slate-600">change it in WEBHOOKS</span>}</TableCell>
              </TableRow>
            ))}
          </Table>
        )}
      </Card>
      <Card title="Add a webhook">
        <WebhookForm />
      </Card>
    </>
  );
}
