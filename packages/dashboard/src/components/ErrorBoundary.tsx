import { Component, type ComponentChildren } from 'preact';

/**
 * The last line of defence: a page that throws while rendering shows what happened instead of
 * leaving a blank page. (Data problems are caught earlier, at the API edge.)
 */
export class ErrorBoundary extends Component<{ children: ComponentChildren }, { error?: Error }> {
  override state: { error?: Error } = {};

  override componentDidCatch(error: Error): void {
    this.setState({ error });
  }

  override render() {
    if (this.state.error) {
      return (
        <div class="notice notice-error" role="alert">
          <p class="notice-title">This page could not be shown</p>
          <p>{this.state.error.message}</p>
          <p>
            <button type="button" class="button" onClick={() => window.location.reload()}>
              Reload the page
            </button>
          </p>
        </div>
      );
    }
    return this.props.children;
  }
}
