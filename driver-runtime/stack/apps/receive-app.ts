/** Download / streaming: asks the link partner to source a flow toward this app's port. */
import { App } from './app.ts';

export class ReceiveApp extends App {
  protected onActivate(_now: number): void {
    this.host.transmit(this, 1); // the request that starts the download
    this.flowId = this.host.startRxFlow(this);
  }

  protected override onDeactivate(): void {
    if (this.flowId >= 0) this.host.stopRxFlow(this.flowId);
    this.flowId = -1;
  }
}
