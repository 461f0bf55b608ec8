/** What Express leaves on a request it routed. */
interface RoutedRequest {
  baseUrl?: unknown;
  route?: { path?: unknown };
}

/**
 * The route template Express matched (`/mailbox/:box/messages`), read once the answer is sent:
 * the mount path of the router (`req.baseUrl`) and the matched route's path. Undefined when no
 * route matched (a 404, or not Express). A router mounted on a path with parameters gives the
 * path as requested for that part (`req.baseUrl` holds the matched text), where full mode's
 * Express instrumentation keeps the template.
 */
export function routeOf(request: unknown): string | undefined {
  const routed = request as RoutedRequest;
  const path = routed.route?.path;
  if (typeof path !== 'string') return undefined;
  const base = typeof routed.baseUrl === 'string' ? routed.baseUrl : '';
  return `${base}${path}` || '/';
}
