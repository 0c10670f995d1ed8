import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { releaseRecordKey } from '../config/names.js';
import { parseRecord, type ReleaseRecord, type ReleaseRecords } from '../engine/release-record.js';
import { errorCode } from './aws-errors.js';

/**
 * Release records as JSON objects in the account's storage bucket, under `releases/<app>/
 * <environment>/<version>.json`. The bucket is encrypted with the master key, versioned (an
 * overwritten record can be recovered) and kept when its stack goes. No instance role may read
 * or write that prefix (instances get `storage/<environment>/<app>/` only), so a compromised
 * instance cannot change what a rollback restores. S3 rather than SSM parameters: a record holds
 * the release's variables, which alone may take 4 KB, SSM's limit for a standard parameter.
 */

export interface S3RecordsOptions {
  readonly s3: S3Client;
  /** The storage bucket's name, or undefined while the base stack does not exist. */
  readonly bucket: () => Promise<string | undefined>;
}

export function createReleaseRecords({ s3, bucket }: S3RecordsOptions): ReleaseRecords {
  const where = async (application: string, environment: string, version: string) => `s3://${(await bucket()) ?? '<storage bucket>'}/${releaseRecordKey(application, environment, version)}`;
  return {
    where,
    async write(record: ReleaseRecord): Promise<void> {
      const name = await bucket();
      if (!name) throw new Error('The storage bucket of the base stack (wimpy-base) does not exist: run the environment step first, which creates it.');
      await s3.send(new PutObjectCommand({
        Bucket: name,
        Key: releaseRecordKey(record.application, record.environment, record.version),
        Body: `${JSON.stringify(record, null, 2)}\n`,
        ContentType: 'application/json',
      }));
    },
    async read(application: string, environment: string, version: string): Promise<ReleaseRecord | undefined> {
      const name = await bucket();
      if (!name) return undefined;
      try {
        const answer = await s3.send(new GetObjectCommand({ Bucket: name, Key: releaseRecordKey(application, environment, version) }));
        const text = (await answer.Body?.transformToString('utf8')) ?? '';
        return parseRecord(text, await where(application, environment, version));
      } catch (error) {
        if (errorCode(error) === 'NoSuchKey') return undefined;
        throw error;
      }
    },
  };
}
