/** What /sync needs from the sync layer; the chat screen works without it (sync not set up). */
export interface SyncStatus {
  configured: boolean;
  relay?: string;
  pending?: number;
  lastSyncAt?: number | null;
  detail?: string;
}

export interface SyncResult {
  pushed?: number;
  pulled?: number;
  detail?: string;
}

export interface SyncPort {
  status(): Promise<SyncStatus> | SyncStatus;
  push(): Promise<SyncResult>;
  pull(): Promise<SyncResult>;
}
