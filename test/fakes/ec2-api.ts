import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { filterParams, listParam, tagParams, type XmlNode, xmlAnswer, xmlError } from './ec2-xml.ts';

export interface FakeInstance {
  instanceId: string;
  imageId: string;
  instanceType: string;
  subnetId: string;
  zone: string;
  market: 'on-demand' | 'spot';
  state: 'pending' | 'running' | 'shutting-down' | 'terminated';
  launchedAtMs: number;
  tags: Map<string, string>;
  userData: string;
  clientToken: string;
  /** Its position among the instances of one RunInstances (EC2's amiLaunchIndex). */
  launchIndex: number;
}

/** A scripted failure of the next `times` calls of `action` (matching `when`, if given). */
export interface Ec2Fault {
  action: string;
  code: string;
  /** EC2's own statuses: 503 for RequestLimitExceeded, 500 for InsufficientInstanceCapacity. */
  status?: number;
  times?: number;
  when?: (params: URLSearchParams) => boolean;
  /** Do the work first, then fail: the answer is lost on the way back. */
  afterWork?: boolean;
}

export interface FakeEc2Options {
  images?: string[];
  instanceTypes?: string[];
  /** Subnet id → availability zone. */
  subnets?: Record<string, string>;
  /** Launch template id → what it launches. */
  launchTemplates?: Record<string, { imageId: string; instanceType: string }>;
  /** Spot price per instance type, USD per hour, as a decimal string. */
  spotPrices?: Record<string, string>;
}

const STATE_CODES = { pending: 0, running: 16, 'shutting-down': 32, terminated: 48 } as const;

/**
 * A stateful stand-in for the EC2 Query API on 127.0.0.1, spoken to by the real AWS SDK through
 * its `endpoint` setting. Instances are `pending` until first described, then `running`; terminated
 * ones stay visible as EC2's do. Any action it does not implement fails with a 400 naming it.
 */
export class FakeEc2 {
  readonly instances = new Map<string, FakeInstance>();
  readonly requests: { action: string; params: URLSearchParams }[] = [];
  private readonly tokens = new Map<string, { reservationId: string; instanceIds: string[] }>();
  private readonly faults: Ec2Fault[] = [];
  private readonly server: Server;
  private counter = 0;
  url = '';

  constructor(readonly options: Required<FakeEc2Options>) {
    this.server = createServer((req, res) => void this.handle(req, res));
  }

  static withDefaults(options: FakeEc2Options = {}): FakeEc2 {
    return new FakeEc2({
      images: ['ami-0123456789abcdef0', 'ami-0fedcba9876543210'],
      instanceTypes: ['t3.small', 'c6i.large', 'm6i.large'],
      subnets: { 'subnet-aaa': 'us-east-1a', 'subnet-bbb': 'us-east-1b' },
      launchTemplates: {
        'lt-0123456789abcdef0': { imageId: 'ami-0123456789abcdef0', instanceType: 't3.small' },
      },
      spotPrices: { 't3.small': '0.0062', 'c6i.large': '0.0340', 'm6i.large': '0.0390' },
      ...options,
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  inject(fault: Ec2Fault): void {
    this.faults.push({ times: 1, ...fault });
  }

  /** Drops every fault not yet spent, so one test's leftovers never hit the next. */
  clearFaults(): void {
    this.faults.length = 0;
  }

  /** An instance someone else launched: no ownership tag unless given. */
  seed(name: string, tags: Record<string, string> = {}): FakeInstance {
    const instance = this.launch({
      imageId: 'ami-0123456789abcdef0',
      instanceType: 't3.small',
      subnetId: 'subnet-aaa',
      market: 'on-demand',
      tags: new Map([['Name', name], ...Object.entries(tags)]),
      userData: '',
      clientToken: '',
      launchIndex: 0,
    });
    instance.state = 'running';
    return instance;
  }

  calls(action: string): URLSearchParams[] {
    return this.requests.filter((r) => r.action === action).map((r) => r.params);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const params = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
    const action = params.get('Action') ?? '';
    const requestId = `req-${++this.counter}`;
    this.requests.push({ action, params });
    const send = (status: number, xml: string) => {
      res.writeHead(status, { 'content-type': 'text/xml;charset=UTF-8' });
      res.end(xml);
    };
    const fail = (status: number, code: string, message: string) =>
      send(status, xmlError(code, message, requestId));
    const fault = this.faults.find((f) => f.action === action && (f.when?.(params) ?? true));
    if (fault && !fault.afterWork) return this.spend(fault, fail);
    if (params.get('DryRun') === 'true')
      return fail(412, 'DryRunOperation', 'Request would have succeeded, but DryRun flag is set.');
    try {
      const body = this.answer(action, params);
      if (fault) return this.spend(fault, fail);
      send(200, xmlAnswer(action, body, requestId));
    } catch (error) {
      const refusal = error instanceof Refusal ? error : new Refusal(500, 'InternalError', String(error));
      fail(refusal.status, refusal.code, refusal.message);
    }
  }

  private spend(fault: Ec2Fault, fail: (status: number, code: string, message: string) => void): void {
    fault.times = (fault.times ?? 1) - 1;
    if (fault.times <= 0) this.faults.splice(this.faults.indexOf(fault), 1);
    fail(fault.status ?? 400, fault.code, `injected ${fault.code} for ${fault.action}`);
  }

  private answer(action: string, params: URLSearchParams): XmlNode {
    switch (action) {
      case 'RunInstances':
        return this.runInstances(params);
      case 'DescribeInstances':
        return this.describeInstances(params);
      case 'TerminateInstances':
        return this.terminate(params);
      case 'CreateTags':
        for (const id of listParam(params, 'ResourceId'))
          for (const [k, v] of tagParams(params, 'Tag')) this.instanceOf(id).tags.set(k, v);
        return { return: true };
      case 'DescribeImages': {
        const ids = listParam(params, 'ImageId');
        const missing = ids.find((id) => !this.options.images.includes(id));
        if (missing)
          throw new Refusal(400, 'InvalidAMIID.NotFound', `The image id '[${missing}]' does not exist`);
        return {
          imagesSet: ids.map((imageId) => ({ imageId, imageState: 'available', name: `image-${imageId}` })),
        };
      }
      case 'DescribeInstanceTypes':
        return {
          instanceTypeSet: listParam(params, 'InstanceType')
            .filter((t) => this.options.instanceTypes.includes(t))
            .map((instanceType) => ({ instanceType, vCpuInfo: { defaultVCpus: 2 } })),
        };
      case 'DescribeSubnets':
        return {
          subnetSet: listParam(params, 'SubnetId').map((subnetId) => {
            const zone = this.options.subnets[subnetId];
            if (!zone)
              throw new Refusal(
                400,
                'InvalidSubnetID.NotFound',
                `The subnet ID '${subnetId}' does not exist`,
              );
            return { subnetId, availabilityZone: zone, state: 'available' };
          }),
        };
      case 'DescribeSpotPriceHistory':
        return {
          spotPriceHistorySet: listParam(params, 'InstanceType').flatMap((instanceType) => {
            const spotPrice = this.options.spotPrices[instanceType];
            if (spotPrice === undefined) return [];
            const timestamp = new Date().toISOString();
            return [
              {
                instanceType,
                spotPrice,
                availabilityZone: 'us-east-1a',
                productDescription: 'Linux/UNIX',
                timestamp,
              },
            ];
          }),
        };
      default:
        throw new Refusal(400, 'InvalidAction', `the fake EC2 API does not implement the action "${action}"`);
    }
  }

  private runInstances(params: URLSearchParams): XmlNode {
    const token = params.get('ClientToken') ?? '';
    const known = token === '' ? undefined : this.tokens.get(token);
    const count = Number(params.get('MaxCount'));
    if (!known) {
      const template = params.get('LaunchTemplate.LaunchTemplateId');
      const fromTemplate = template === null ? undefined : this.options.launchTemplates[template];
      if (template !== null && !fromTemplate)
        throw new Refusal(
          400,
          'InvalidLaunchTemplateId.NotFound',
          `launch template ${template} does not exist`,
        );
      const imageId = params.get('ImageId') ?? fromTemplate?.imageId ?? '';
      const instanceType = params.get('InstanceType') ?? fromTemplate?.instanceType ?? '';
      if (!this.options.images.includes(imageId))
        throw new Refusal(400, 'InvalidAMIID.NotFound', `The image id '[${imageId}]' does not exist`);
      if (!this.options.instanceTypes.includes(instanceType))
        throw new Refusal(400, 'InvalidParameterValue', `Invalid value '${instanceType}' for InstanceType.`);
      const subnetId = params.get('SubnetId') ?? Object.keys(this.options.subnets)[0] ?? '';
      if (!this.options.subnets[subnetId])
        throw new Refusal(400, 'InvalidSubnetID.NotFound', `The subnet ID '${subnetId}' does not exist`);
      if (!(count >= 1 && Number(params.get('MinCount')) >= 1))
        throw new Refusal(400, 'InvalidParameterValue', 'MinCount and MaxCount must be at least 1');
      const market = params.get('InstanceMarketOptions.MarketType') === 'spot' ? 'spot' : 'on-demand';
      const tags = tagParams(params, 'TagSpecification.1.Tag');
      const userData = Buffer.from(params.get('UserData') ?? '', 'base64').toString('utf8');
      const ids = Array.from(
        { length: count },
        (_, launchIndex) =>
          this.launch({
            imageId,
            instanceType,
            subnetId,
            market,
            tags: new Map(tags),
            userData,
            clientToken: token,
            launchIndex,
          }).instanceId,
      );
      this.tokens.set(token === '' ? `none-${this.counter}` : token, {
        reservationId: `r-${this.hex()}`,
        instanceIds: ids,
      });
    }
    const reservation = known ?? [...this.tokens.values()].at(-1);
    if (!reservation) throw new Refusal(500, 'InternalError', 'no reservation');
    return {
      reservationId: reservation.reservationId,
      ownerId: '123456789012',
      instancesSet: reservation.instanceIds.map((id) => instanceXml(this.instanceOf(id))),
    };
  }

  private describeInstances(params: URLSearchParams): XmlNode {
    const ids = listParam(params, 'InstanceId');
    for (const id of ids)
      if (!this.instances.has(id))
        throw new Refusal(400, 'InvalidInstanceID.NotFound', `The instance ID '${id}' does not exist`);
    const filters = filterParams(params);
    const matching = [...this.instances.values()].filter(
      (i) => (ids.length === 0 || ids.includes(i.instanceId)) && filters.every((f) => matches(i, f)),
    );
    const offset = Number(params.get('NextToken') ?? 0);
    const pageSize = Number(params.get('MaxResults') ?? 1000);
    const page = matching.slice(offset, offset + pageSize);
    // Seen once as pending, an instance is running from then on (it "boots" between calls).
    const answer = page.map((i) => ({
      reservationId: `r-${i.instanceId.slice(2)}`,
      instancesSet: [instanceXml(i)],
    }));
    for (const i of page) if (i.state === 'pending') i.state = 'running';
    const next = offset + pageSize < matching.length ? String(offset + pageSize) : undefined;
    return { reservationSet: answer, nextToken: next };
  }

  private terminate(params: URLSearchParams): XmlNode {
    return {
      instancesSet: listParam(params, 'InstanceId').map((id) => {
        const instance = this.instanceOf(id);
        const previousState = { code: STATE_CODES[instance.state], name: instance.state };
        instance.state = 'terminated';
        return { instanceId: id, previousState, currentState: { code: 48, name: 'terminated' } };
      }),
    };
  }

  private launch(what: Omit<FakeInstance, 'instanceId' | 'zone' | 'state' | 'launchedAtMs'>): FakeInstance {
    const zone = this.options.subnets[what.subnetId] ?? 'us-east-1a';
    const instance: FakeInstance = {
      instanceId: `i-${this.hex()}`,
      ...what,
      zone,
      state: 'pending',
      launchedAtMs: Date.now(),
    };
    this.instances.set(instance.instanceId, instance);
    return instance;
  }

  private instanceOf(id: string): FakeInstance {
    const instance = this.instances.get(id);
    if (!instance)
      throw new Refusal(400, 'InvalidInstanceID.NotFound', `The instance ID '${id}' does not exist`);
    return instance;
  }

  private hex(): string {
    return createHash('sha256')
      .update(`${Date.now()}-${++this.counter}-${Math.random()}`)
      .digest('hex')
      .slice(0, 17);
  }
}

class Refusal extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function matches(instance: FakeInstance, filter: { name: string; values: string[] }): boolean {
  if (filter.name.startsWith('tag:')) {
    const value = instance.tags.get(filter.name.slice(4));
    return value !== undefined && filter.values.includes(value);
  }
  if (filter.name === 'tag-key') return filter.values.some((k) => instance.tags.has(k));
  if (filter.name === 'instance-state-name') return filter.values.includes(instance.state);
  throw new Refusal(
    400,
    'InvalidParameterValue',
    `the fake EC2 API does not implement the filter "${filter.name}"`,
  );
}

function instanceXml(i: FakeInstance): XmlNode {
  return {
    instanceId: i.instanceId,
    imageId: i.imageId,
    instanceState: { code: STATE_CODES[i.state], name: i.state },
    instanceType: i.instanceType,
    amiLaunchIndex: i.launchIndex,
    launchTime: new Date(i.launchedAtMs).toISOString(),
    placement: { availabilityZone: i.zone },
    subnetId: i.subnetId,
    clientToken: i.clientToken,
    instanceLifecycle: i.market === 'spot' ? 'spot' : undefined,
    tagSet: [...i.tags].map(([key, value]) => ({ key, value })),
  };
}
