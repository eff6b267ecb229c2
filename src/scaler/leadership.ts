import { messageOf } from '../base/errors.ts';
import type { ScalingEvent } from '../core/events.ts';
import type { FleetStore } from '../fleet/fleet-store.ts';
import type { LeaderLease } from '../fleet/leader-lease.ts';
import type { Provisioner } from '../provisioning/provisioner.ts';
import type { StalledChecker } from '../reconciler/stalled-checker.ts';

/** A fence no lease value can equal: writes made after losing the lease are refused. */
const lostFence = 'lease-lost';

/**
 * Starts and stops what only the leader may run (provisioning jobs, the stalled checker, fenced
 * fleet writes) as the lease comes and goes.
 */
export class Leadership {
  private leading = false;

  constructor(
    private readonly lease: LeaderLease,
    private readonly store: FleetStore,
    private readonly provisioner: Provisioner,
    private readonly checker: StalledChecker,
    private readonly instance: string,
    private readonly emit: (event: ScalingEvent) => void,
  ) {}

  get isLeader(): boolean {
    return this.leading;
  }

  /** Renews or takes the lease; says whether this scaler leads for this tick. */
  async ensure(): Promise<boolean> {
    let held: boolean;
    try {
      held = await this.lease.acquireOrRenew();
    } catch (error) {
      // Unsure whether we still hold it: behave as if not, so two scalers never both act.
      await this.lose(`lease check failed: ${messageOf(error)}`);
      throw error;
    }
    if (held && !this.leading) await this.gain();
    // A lease that lapsed with nobody else taking it comes back with a new token: fence with that.
    else if (held) this.store.setFence(this.lease.value);
    if (!held && this.leading) await this.lose(this.lease.refusal ?? 'lease taken by another scaler');
    return held;
  }

  /**
   * Keeps a held lease alive between ticks, on its own timer: a tick slowed by a provider call
   * must not let the lease lapse while this scaler still acts as leader. A lease found gone or
   * unreadable is given up here, before the tick's next write.
   */
  async renew(): Promise<void> {
    if (!this.leading) return;
    await this.ensure().catch(() => {});
  }

  async lose(reason: string): Promise<void> {
    this.lease.drop();
    // Refuse every fleet write from here on, including those of jobs still finishing.
    this.store.setFence(lostFence);
    if (!this.leading) return;
    this.leading = false;
    this.emit({ event: 'leader.lost', instance: this.instance, reason });
    // Not awaited: with Redis away, closing BullMQ workers waits for it, and the tick must go on
    // to notice when it is back. The fence above already stops their writes.
    void Promise.all([this.provisioner.stopWorker(), this.checker.stop()]).catch(() => {});
  }

  /** Steps down on purpose: the lease is released so a standby takes over at once. */
  async resign(): Promise<void> {
    await this.lease.release().catch(() => {});
    this.store.setFence(lostFence);
    this.leading = false;
    await Promise.all([this.provisioner.stopWorker(), this.checker.stop()]);
  }

  private async gain(): Promise<void> {
    this.leading = true;
    this.store.setFence(this.lease.value);
    this.emit({ event: 'leader.acquired', instance: this.instance, fence: this.lease.value ?? '' });
    this.provisioner.startWorker();
  }
}
