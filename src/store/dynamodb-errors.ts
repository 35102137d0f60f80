import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { ConditionFailedError, StoreMisconfiguredError, StoreUnavailableError } from './store';

// Errors that mean the store cannot answer now, as opposed to a bug in the request.
const UNAVAILABLE_NAMES = new Set([
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'AbortError',
  'StoreStalledError',
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'InternalServerError',
  'ServiceUnavailable',
  'TransactionCanceledException',
  'TransactionInProgressException',
]);
const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EPIPE', 'EAI_AGAIN', 'ECONNABORTED']);

// Errors that no retry will cure: the table, the region or the credentials are wrong.
const MISCONFIGURED: Record<string, string> = {
  ResourceNotFoundException: 'the table does not exist (check AUTH_TABLE and AWS_REGION)',
  UnrecognizedClientException: 'the credentials are not valid for DynamoDB (check the AWS credentials)',
  InvalidSignatureException: 'the request signature was refused (check the AWS secret key)',
  IncompleteSignatureException: 'the request signature was refused (check the AWS credentials)',
  MissingAuthenticationTokenException: 'no credentials were sent (check the AWS credentials)',
  AccessDeniedException: 'access to the table is denied (check the IAM policy of these credentials)',
  CredentialsProviderError: 'no AWS credentials were found (set AWS_PROFILE or AWS_ACCESS_KEY_ID, or run where a role is attached)',
};

export function translateDynamoError(error: unknown): unknown {
  if (error instanceof ConditionFailedError || error instanceof StoreUnavailableError) return error;
  if (error instanceof ConditionalCheckFailedException) return new ConditionFailedError(error.message);
  const { name, code, message, $metadata } = error as { name?: string; code?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const misconfigured = name ? MISCONFIGURED[name] : undefined;
  if (misconfigured) return new StoreMisconfiguredError(`dynamodb: ${misconfigured}`, { cause: error });
  if (typeof message === 'string' && /^Region (is missing|not accepted)/.test(message)) {
    return new StoreMisconfiguredError('dynamodb: no AWS region is set (set AWS_REGION)', { cause: error });
  }
  if (
    (name && UNAVAILABLE_NAMES.has(name)) ||
    (code && UNAVAILABLE_CODES.has(code)) ||
    ($metadata?.httpStatusCode ?? 0) >= 500 ||
    (error instanceof AggregateError && error.errors.some((inner) => UNAVAILABLE_CODES.has((inner as { code?: string }).code ?? '')))
  ) {
    return new StoreUnavailableError(`dynamodb: ${name ?? code ?? 'unavailable'}`, { cause: error });
  }
  return error;
}
