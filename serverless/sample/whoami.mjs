/**
 * A stand-in for your own API behind Gatehouse's authorizer: it answers with what the authorizer
 * established. An HTTP API hands the context over as `authorizer.lambda`, a REST API as
 * `authorizer` itself (next to the principalId).
 */
export const handler = async (event) => {
  const { authorizer } = event.requestContext;
  const { username, sid } = authorizer.lambda ?? authorizer;
  return {
    statusCode: 200,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
    body: JSON.stringify({ authorizer: { username, sid } }),
  };
};
