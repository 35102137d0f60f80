import { runStoreContract } from '../src/store/contract';
import { freshDynamoStore } from './helpers/dynamodb';

runStoreContract('dynamodb (DynamoDB Local)', ({ now }) => freshDynamoStore(now, 'contract'));
