import { TokensAdmin, UsersAdmin } from "@/components/people/people-admin";
import { Card } from "@/components/ui/card";
import { Notice } from "@/components/ui/notice";
import { PageHeader } from "@/components/ui/page-header";
import { requirePageAccess } from "@/lib/auth/page-access";
import { allows } from "@/lib/auth/principal";
import { getServices } from "@/lib/core/services";

export const dynamic = "force-dynamic";
export const metadata = { title: "People · schedule-sync" };

export default async function PeoplePage() {
  const principal = await requirePageAccess();
  if (!allows(principal, "admin")) {
    return (
      <>
        <PageHeader title="People" />
        <Notice tone="info" title="Only admins manage people and tokens">
          <p>Your role is {principal.role}. Ask an admin to change it.</p>
        </Notice>
      </>
    );
  }
  const { people } = getServices();
  const [users, tokens] = await Promise.all([people.listUsers(), people.listTokens()]);
  return (
    <>
      <PageHeader title="People" description="Who may sign in and with which role, and the named API tokens of people and robots." />
      <div className="space-y-4">
        <Card title="Users" id="users">
          <UsersAdmin users={users} />
        </Card>
        <Card title="API tokens" id="tokens">
          <TokensAdmin tokens={tokens} />
        </Card>
      </div>
    </>
  );
}
