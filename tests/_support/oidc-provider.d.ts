// oidc-provider (a dev dependency: the real provider the OIDC tests sign in against) ships no types.
declare module "oidc-provider" {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const Provider: any;
  export default Provider;
}
