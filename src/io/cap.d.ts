// The part of the `cap` package (libpcap binding) that uvs uses.
declare module 'cap' {
  import { EventEmitter } from 'node:events';
  interface CapHandle extends EventEmitter {
    /** Opens `device` with a pcap filter; frames are copied into `buffer`. Returns the link type. */
    open(device: string, filter: string, bufSize: number, buffer: Buffer): string;
    send(buffer: Buffer, nBytes?: number): void;
    close(): void;
    on(event: 'packet', listener: (nbytes: number, truncated: boolean) => void): this;
  }
  const cap: { Cap: new () => CapHandle };
  export default cap;
}
