#!/bin/bash
# user_data for EC2 instances launched by bullmq-autoscaler's aws-ec2 provider.
#
# The autoscaler renders this template before each launch: every placeholder (a name in
# double braces, comments included) becomes a single-quoted shell word, so values need no
# further quoting. Set it as provider.userDataFile; docs/providers/aws-ec2.md has the contract.
# EC2 takes at most 16 KB of user_data: keep everything else in the AMI.
#
# SERVER_ID and SERVER_NAME differ per server, so each instance costs one RunInstances; a
# template without them launches up to 20 instances per request.
set -euo pipefail

# Readable by root only: REDIS_URL usually carries a password.
install -d -m 0700 /etc/bullmq-autoscaler
umask 077
printf 'export %s=%q\n' \
  SERVER_ID {{SERVER_ID}} \
  SERVER_NAME {{SERVER_NAME}} \
  POOL {{POOL}} \
  REDIS_URL {{REDIS_URL}} \
  AUTOSCALER_CLUSTER {{AUTOSCALER_CLUSTER}} \
  BULLMQ_PREFIX {{BULLMQ_PREFIX}} \
  QUEUES {{QUEUES}} \
  SLOTS {{SLOTS}} \
  AUTOSCALER_IMDS_WATCH {{AUTOSCALER_IMDS_WATCH}} \
  NODE_ENV {{vars.NODE_ENV}} \
  > /etc/bullmq-autoscaler/worker.env

# The unit was baked into the AMI disabled, so a bare AMI boot never joins a fleet.
systemctl enable --now bullmq-worker.service
