import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import {
  type CreatedServer,
  type CreateOptions,
  creatable,
  ownerTagOf,
  type Provider,
  ProviderError,
  type ProviderServer,
  renderUserData,
  type ServerSpec,
  typeOf,
  withCreated,
} from '../provider.ts';
import type { Ec2Api, Ec2Instance } from './client.ts';
import { type AwsEc2ProviderConfig, type InstanceTypeSettings, instanceTypeSettings } from './config.ts';
import { GONE, instanceIdOf, LIVE_STATES, toServer } from './instances.ts';
import { type Launch, launchInFirstPlaceWithRoom, type Placement } from './placement.ts';
import { ON_DEMAND_USD_PER_HOUR } from './prices.ts';
import { CLUSTER_TAG, clientTokenOf, SERVER_ID_TAG, sharedTagsOf, tagsOf } from './tags.ts';
import { encodeUserData } from './user-data.ts';

/**
 * Extra values EC2 servers' user_data may use: {{AUTOSCALER_IMDS_WATCH}} turns on the worker's
 * watch for spot interruption notices (see src/worker/spot-notices.ts).
 */
export const EC2_SERVER_ENV = { AUTOSCALER_IMDS_WATCH: '1' };

/** One RunInstances launches at most this many servers (one type, one user_data). */
const MAX_BATCH = 20;
const SPOT_PRICE_TTL_MS = 5 * 60_000;

export interface Ec2ProviderDeps {
  config: AwsEc2ProviderConfig;
  cluster: string;
  api: Ec2Api;
  now?: () => number;
}

/**
 * The Provider over EC2 instances. Nothing is listed, read or terminated unless it carries this
 * cluster's `bullmq-autoscaler:cluster` tag, and every launch carries a ClientToken derived from
 * its server ids, so a repeated launch never buys twice.
 */
export class Ec2Provider implements Provider {
  readonly name = 'aws-ec2';
  readonly maxBatch = MAX_BATCH;
  private readonly ownerTag: string;
  private readonly templates = new Map<string, Promise<string>>();
  private readonly coolingUntilMs = new Map<string, number>();
  private readonly spotPrices = new Map<string, { usd: number | undefined; atMs: number }>();
  private readonly now: () => number;

  constructor(private readonly deps: Ec2ProviderDeps) {
    this.ownerTag = ownerTagOf(deps.cluster);
    this.now = deps.now ?? Date.now;
  }

  async create(specs: ServerSpec[], options?: CreateOptions): Promise<CreatedServer[]> {
    if (specs.length === 0) return [];
    for (const spec of specs) this.checkSpec(spec);
    const groups = new Map<
      string,
      { settings: InstanceTypeSettings; userData: string; specs: ServerSpec[] }
    >();
    for (const spec of specs) {
      const settings = this.settingsOf(typeOf(spec));
      const userData = await this.userDataOf(spec, settings);
      const key = JSON.stringify([settings.type, userData]);
      const group = groups.get(key) ?? { settings, userData, specs: [] };
      group.specs.push(spec);
      groups.set(key, group);
    }
    // A caller may repeat a create whose answer it never saw: instances that exist are adopted.
    const existing = await this.ownedByServerId(specs.map((s) => s.serverId));
    const created: CreatedServer[] = [];
    try {
      for (const group of groups.values()) {
        const image = await this.imageOf(group.settings);
        const found = group.specs.filter((s) => existing.has(s.serverId));
        for (const spec of found) created.push(this.createdOf(spec, existing.get(spec.serverId), image));
        const toLaunch = await creatable(
          group.specs.filter((s) => !existing.has(s.serverId)),
          options,
        );
        for (let i = 0; i < toLaunch.length; i += MAX_BATCH) {
          const batch = toLaunch.slice(i, i + MAX_BATCH);
          await this.launch(batch, group.settings, group.userData, (spec, instance) =>
            created.push(this.createdOf(spec, instance, image)),
          );
        }
      }
    } catch (error) {
      throw withCreated(error, created);
    }
    const order = new Map(specs.map((s, i) => [s.serverId, i]));
    return created.sort((a, b) => (order.get(a.serverId) ?? 0) - (order.get(b.serverId) ?? 0));
  }

  async get(providerId: string): Promise<ProviderServer | undefined> {
    const instance = await this.deps.api.describeInstance(instanceIdOf(providerId));
    return instance && this.isOurs(instance) && !GONE.has(instance.state) ? toServer(instance) : undefined;
  }

  async list(ownerTag: string): Promise<ProviderServer[]> {
    if (ownerTag !== this.ownerTag) {
      throw new ProviderError(
        `refusing to list instances tagged "${ownerTag}": this provider manages only "${this.ownerTag}" (cluster ${this.deps.cluster})`,
        { retryable: false },
      );
    }
    return (await this.listOwned()).map(toServer);
  }

  async destroy(providerId: string): Promise<void> {
    const id = instanceIdOf(providerId);
    const instance = await this.deps.api.describeInstance(id);
    if (!instance || GONE.has(instance.state)) return;
    if (!this.isOurs(instance)) {
      throw new ProviderError(
        `refusing to terminate instance ${id} ("${instance.tags.Name ?? ''}"): it does not carry the tag ${CLUSTER_TAG}=${this.deps.cluster}`,
        { retryable: false },
      );
    }
    await this.deps.api.terminate(id);
  }

  /** Spot types cost the current spot price (the highest across zones); on-demand ones the table's. */
  async serverHourlyPriceUsd(type: string): Promise<number | undefined> {
    const settings = this.settingsOf(type);
    const instanceType = settings.instanceType;
    if (instanceType === undefined) return undefined;
    const onDemand = this.deps.config.hourlyPricesUsd[instanceType] ?? ON_DEMAND_USD_PER_HOUR[instanceType];
    if (settings.market === 'on-demand') return onDemand;
    const cached = this.spotPrices.get(instanceType);
    if (cached && this.now() - cached.atMs < SPOT_PRICE_TTL_MS) return cached.usd ?? onDemand;
    const usd = await this.deps.api.spotPriceUsd(instanceType).catch(() => cached?.usd);
    this.spotPrices.set(instanceType, { usd, atMs: this.now() });
    // spot-with-fallback may launch on-demand: the cost cap must assume the dearer price.
    if (settings.market === 'spot-with-fallback') return onDemand ?? usd;
    return usd ?? onDemand;
  }

  async currentImage(type: string): Promise<string | undefined> {
    return this.imageOf(this.settingsOf(type));
  }

  async close(): Promise<void> {
    this.deps.api.close();
  }

  private async launch(
    batch: ServerSpec[],
    settings: InstanceTypeSettings,
    userData: string,
    onLaunched: (spec: ServerSpec, instance: Ec2Instance) => void,
  ): Promise<void> {
    const first = batch[0];
    if (!first) return;
    const tags = sharedTagsOf(tagsOf(this.deps.cluster, first, settings.tags));
    const launchOne = async (specs: ServerSpec[], placement: Placement): Promise<Launch> => {
      const instances = await this.deps.api.runInstances({
        imageId: settings.imageId,
        launchTemplateId: settings.launchTemplateId,
        instanceType: settings.instanceType,
        subnetId: placement.subnetId,
        securityGroupIds: settings.securityGroupIds,
        count: specs.length,
        clientToken: clientTokenOf(
          this.deps.cluster,
          specs.map((s) => s.serverId),
          `${placement.subnetId}/${placement.market}`,
        ),
        spot: placement.market === 'spot',
        spotMaxPriceUsd: settings.spotMaxPriceUsd,
        userDataBase64: encodeUserData(userData),
        tags,
      });
      // EC2 numbers the instances of one launch 0…n-1: the i-th is the i-th spec's server.
      const ordered = [...instances].sort((a, b) => a.launchIndex - b.launchIndex);
      const launched = specs.slice(0, ordered.length);
      await Promise.all(
        launched.map(async (spec, i) => {
          const instance = ordered[i] as Ec2Instance;
          const own = tagsOf(this.deps.cluster, spec, settings.tags);
          await this.deps.api.createTags(instance.instanceId, {
            Name: own.Name ?? spec.name,
            [SERVER_ID_TAG]: spec.serverId,
          });
          onLaunched(spec, { ...instance, tags: { ...instance.tags, ...own } });
        }),
      );
      return { launched: launched.length };
    };
    await launchInFirstPlaceWithRoom(
      batch,
      settings,
      this.coolingUntilMs,
      this.deps.config.subnetCoolOffMs,
      this.now,
      launchOne,
    );
  }

  private checkSpec(spec: ServerSpec): void {
    if (spec.tags[0] !== this.ownerTag) {
      throw new ProviderError(
        `server ${spec.serverId}: its first tag must be the ownership tag "${this.ownerTag}", got "${spec.tags[0] ?? ''}"`,
        { retryable: false },
      );
    }
    if (spec.name.length === 0 || spec.name.length > 256) {
      throw new ProviderError(
        `server ${spec.serverId}: "${spec.name}" is not a valid Name tag (1-256 characters)`,
        {
          retryable: false,
        },
      );
    }
  }

  private settingsOf(type: string): InstanceTypeSettings {
    try {
      return instanceTypeSettings(this.deps.config, type);
    } catch (error) {
      throw new ProviderError((error as Error).message, { retryable: false });
    }
  }

  private async userDataOf(spec: ServerSpec, settings: InstanceTypeSettings): Promise<string> {
    const template = await this.loadTemplate(settings);
    try {
      const userData = renderUserData(template, {
        env: { ...spec.env, ...EC2_SERVER_ENV },
        vars: settings.userDataVars,
      });
      encodeUserData(userData);
      return userData;
    } catch (error) {
      throw new ProviderError((error as Error).message, { retryable: false });
    }
  }

  private loadTemplate(settings: InstanceTypeSettings): Promise<string> {
    const file = settings.userDataFile;
    const loaded =
      this.templates.get(file) ??
      readFile(file, 'utf8').catch((error: unknown) => {
        this.templates.delete(file);
        throw new ProviderError(
          `cannot read userDataFile "${file}" (server type ${settings.type}): ${(error as Error).message}`,
          {
            retryable: false,
          },
        );
      });
    this.templates.set(file, loaded);
    return loaded;
  }

  /** AMI (or launch template), instance type and user_data template: what a server launched now runs. */
  private async imageOf(settings: InstanceTypeSettings): Promise<string> {
    const script = createHash('sha256')
      .update(await this.loadTemplate(settings))
      .update(JSON.stringify(settings.userDataVars))
      .digest('hex')
      .slice(0, 12);
    const base = [settings.imageId, settings.launchTemplateId].filter((p) => p !== undefined).join(' + ');
    return `${base}, ${settings.instanceType ?? 'template type'}, user_data ${script}`;
  }

  private async ownedByServerId(serverIds: string[]): Promise<Map<string, Ec2Instance>> {
    const found = new Map<string, Ec2Instance>();
    // EC2 takes at most 200 values per filter.
    for (let i = 0; i < serverIds.length; i += 200) {
      const instances = await this.deps.api.describeInstances({
        [`tag:${CLUSTER_TAG}`]: [this.deps.cluster],
        [`tag:${SERVER_ID_TAG}`]: serverIds.slice(i, i + 200),
        'instance-state-name': LIVE_STATES,
      });
      for (const instance of instances) found.set(instance.tags[SERVER_ID_TAG] ?? '', instance);
    }
    return found;
  }

  private async listOwned(): Promise<Ec2Instance[]> {
    const instances = await this.deps.api.describeInstances({
      [`tag:${CLUSTER_TAG}`]: [this.deps.cluster],
      'instance-state-name': LIVE_STATES,
    });
    return instances.filter((i) => this.isOurs(i));
  }

  private isOurs(instance: Ec2Instance): boolean {
    return instance.tags[CLUSTER_TAG] === this.deps.cluster;
  }

  private createdOf(spec: ServerSpec, instance: Ec2Instance | undefined, image: string): CreatedServer {
    if (!instance) throw new ProviderError(`no instance for server ${spec.serverId}`, { retryable: false });
    return { serverId: spec.serverId, providerId: instance.instanceId, region: instance.zone, image };
  }
}
