#!/bin/bash
# user_data for DigitalOcean droplets started by bullmq-autoscaler.
#
# The autoscaler renders this template before each create: every placeholder (a name in
# double braces, comments included) becomes a single-quoted shell word, so values need no
# further quoting. Set it as provider.userDataFile; docs/providers/digitalocean.md has the
# contract.
#
# Only values shared by every server of a pool are rendered here. The droplet's own name
# comes from the metadata service at boot, which keeps this script identical across a pool,
# so the autoscaler can create up to ten droplets per API request. (The per-server
# placeholders SERVER_ID and SERVER_NAME also work, but cost one API request per droplet.)
set -euo pipefail

POOL={{POOL}}
# One Redis: REDIS_URL. A Cluster or a Sentinel set: REDIS_CONNECTION (JSON, no secret) and the
# passwords apart. The unused ones render empty.
REDIS_URL={{REDIS_URL}}
REDIS_CONNECTION={{REDIS_CONNECTION}}
REDIS_PASSWORD={{REDIS_PASSWORD}}
REDIS_SENTINEL_PASSWORD={{REDIS_SENTINEL_PASSWORD}}
AUTOSCALER_CLUSTER={{AUTOSCALER_CLUSTER}}
BULLMQ_PREFIX={{BULLMQ_PREFIX}}
QUEUES={{QUEUES}}
SLOTS={{SLOTS}}
STALLED_CHECK_MS={{STALLED_CHECK_MS}}
NODE_ENV={{vars.NODE_ENV}}

# The autoscaler names servers "<cluster>-<server id>".
SERVER_NAME="$(curl -fsS --retry 5 http://169.254.169.254/metadata/v1/hostname)"
SERVER_ID="${SERVER_NAME#"${AUTOSCALER_CLUSTER}"-}"

# Readable by root only: REDIS_URL or REDIS_PASSWORD usually carries a password.
install -d -m 0700 /etc/bullmq-autoscaler
umask 077
printf 'export %s=%q\n' \
  SERVER_ID "$SERVER_ID" \
  SERVER_NAME "$SERVER_NAME" \
  POOL "$POOL" \
  REDIS_URL "$REDIS_URL" \
  REDIS_CONNECTION "$REDIS_CONNECTION" \
  REDIS_PASSWORD "$REDIS_PASSWORD" \
  REDIS_SENTINEL_PASSWORD "$REDIS_SENTINEL_PASSWORD" \
  AUTOSCALER_CLUSTER "$AUTOSCALER_CLUSTER" \
  BULLMQ_PREFIX "$BULLMQ_PREFIX" \
  QUEUES "$QUEUES" \
  SLOTS "$SLOTS" \
  STALLED_CHECK_MS "$STALLED_CHECK_MS" \
  NODE_ENV "$NODE_ENV" \
  > /etc/bullmq-autoscaler/worker.env

# The unit was baked into the snapshot disabled, so a bare snapshot boot never joins a fleet.
systemctl enable --now bullmq-worker.service
