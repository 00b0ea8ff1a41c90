/**
 * @module service/audit
 * One helper to append an audit entry (every management change, every device action
 * transition) stamped with the injected clock.
 */
import type { ServiceContext } from './context.js';

export async function audit(ctx: ServiceContext, tenant: string, actor: string, event: string, subject: string, details: Record<string, unknown> = {}): Promise<void> {
  await ctx.store.appendAudit({ atMs: ctx.clock.nowMs(), tenant, actor, event, subject, details });
}
