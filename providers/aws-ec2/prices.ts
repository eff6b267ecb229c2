/**
 * On-demand USD per hour, Linux, us-east-1, for the types queue workers commonly run on (AWS's
 * public price list, November 2026). Other regions cost up to ~30 % more: set
 * provider.hourlyPricesUsd for yours. The Pricing API that would answer this is a separate
 * service (its own endpoint and permissions), which this provider does not call.
 */
export const ON_DEMAND_USD_PER_HOUR: Readonly<Record<string, number>> = {
  't3.micro': 0.0104,
  't3.small': 0.0208,
  't3.medium': 0.0416,
  't3.large': 0.0832,
  't3.xlarge': 0.1664,
  't4g.small': 0.0168,
  't4g.medium': 0.0336,
  't4g.large': 0.0672,
  'c6i.large': 0.085,
  'c6i.xlarge': 0.17,
  'c6i.2xlarge': 0.34,
  'c7g.large': 0.0725,
  'c7g.xlarge': 0.145,
  'c7i.large': 0.08925,
  'c7i.xlarge': 0.1785,
  'm6i.large': 0.096,
  'm6i.xlarge': 0.192,
  'm7g.large': 0.0816,
  'm7i.large': 0.1008,
  'm7i.xlarge': 0.2016,
  'r6i.large': 0.126,
  'r7i.large': 0.1323,
};
