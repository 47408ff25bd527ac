import { randomBytes } from 'node:crypto';
import { createClient } from 'redis';

/** What a logged-in HTTP session remembers (OpenMRS's UserContext). */
export interface Session {
  id: string;
  userId: number;
  locale: string;
  sessionLocationId: number | null;
}

export interface SessionStore {
  readonly kind: 'memory' | 'redis';
  get(id: string): Promise<Session | undefined>;
  save(s: Session): Promise<void>;
  delete(id: string): Promise<void>;
  close(): Promise<void>;
}

/** Tomcat's JSESSIONID shape: 32 upper-case hex characters. */
export const newSessionId = () => randomBytes(16).toString('hex').toUpperCase();

type RedisClient = ReturnType<typeof createClient>;

const TTL_SECONDS = 30 * 60;

/** Sessions in this process's memory, as in a stock Tomcat: lost when the replica dies. */
export class MemorySessionStore implements SessionStore {
  readonly kind = 'memory';
  private readonly sessions = new Map<string, { s: Session; expires: number }>();

  async get(id: string) {
    const e = this.sessions.get(id);
    if (!e) return undefined;
    if (e.expires < Date.now()) {
      this.sessions.delete(id);
      return undefined;
    }
    e.expires = Date.now() + TTL_SECONDS * 1000;
    return e.s;
  }
  async save(s: Session) {
    this.sessions.set(s.id, { s, expires: Date.now() + TTL_SECONDS * 1000 });
  }
  async delete(id: string) {
    this.sessions.delete(id);
  }
  async close() {
    this.sessions.clear();
  }
}

/** Sessions shared by all replicas through Redis (Spring Session style): they survive a replica's death. */
export class RedisSessionStore implements SessionStore {
  readonly kind = 'redis';
  private constructor(private readonly client: RedisClient) {}

  static async connect(url: string): Promise<RedisSessionStore> {
    const client: RedisClient = createClient({ url });
    client.on('error', () => {
      /* reconnects by itself; request handlers see the failure as a 500 with its cause */
    });
    await client.connect();
    return new RedisSessionStore(client);
  }
  private key = (id: string) => `loadlab:session:${id}`;
  async get(id: string) {
    const v = await this.client.getEx(this.key(id), { EX: TTL_SECONDS });
    return v ? (JSON.parse(v) as Session) : undefined;
  }
  async save(s: Session) {
    await this.client.set(this.key(s.id), JSON.stringify(s), { EX: TTL_SECONDS });
  }
  async delete(id: string) {
    await this.client.del(this.key(id));
  }
  async close() {
    await this.client.quit();
  }
}
