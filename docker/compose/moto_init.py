"""Creates what the servers expect to exist on the emulator: the SNS topic of commits.

MOTO_ENDPOINT (e.g. http://moto:5000) and TOPIC_NAME; waits until moto answers.
"""
import os
import time

import boto3
from botocore.exceptions import EndpointConnectionError


def main() -> None:
    endpoint = os.environ["MOTO_ENDPOINT"]
    topic = os.environ["TOPIC_NAME"]
    sns = boto3.client(
        "sns",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )
    for attempt in range(60):
        try:
            arn = sns.create_topic(Name=topic)["TopicArn"]
            print("topic ready: %s" % arn, flush=True)
            return
        except EndpointConnectionError:
            time.sleep(1)
    raise SystemExit("moto did not answer at %s" % endpoint)


if __name__ == "__main__":
    main()
