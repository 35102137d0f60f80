// Test code reads response bodies loosely and asserts their shape with expect().
declare global {
  interface Response {
    json(): Promise<any>;
  }
}

export {};
