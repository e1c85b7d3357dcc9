// The Redis key layout, in one place. Ids from users (run ids, thread ids, user ids, pipeline
// names) become part of key names only through `encode`, which is injective and keeps `:` out of
// them, so no id can reach another id's keys; no key is ever built into a KEYS or SCAN pattern.
//
//   <p>run:<run>                      hash   run summary (run_id, pipeline, version, status,
//                                            started, pkey; updated, events and last, the
//                                            highest seq, of the log; tail: the tail's token)
//   <p>run:<run>:log                  list   the event log in seq order, entries "<seq>:<JSON>"
//                                            (before it, a zset <p>run:<run>:events, score seq,
//                                            member JSON: moved into the list on first use)
//   <p>run:<run>:tail:<token>         list   the events after the log's, as the log, written by
//                                            the one store instance that holds the token; folded
//                                            into the log by the next script writing the run
//   <p>runs                           zset   every run (member <run>), score start time in ms
//   <p>runs:status:<status>           zset   runs by status, same scores
//   <p>runs:pipeline:<pipeline>       zset   runs by pipeline, same scores
//   <p>runs:tails                     set    runs that have a tail (members <run>), for stats
//   <p>runs:events                    string number of events in logs, for stats
//   <p>mem:seq                        string append counter: orders messages across threads
//   <p>mem:t:<thread>                 zset   the thread: score append seq, member message id
//   <p>mem:m:<thread>                 hash   message id → message JSON
//   <p>mem:tu:<thread>:<user>         zset   a user's messages in a thread (as mem:t)
//   <p>mem:tusers:<thread>            set    users with messages in the thread (members <user>)
//   <p>mem:u:<user>                   zset   threads a user wrote in: member <thread>, score
//                                            the thread's expiry in ms (+inf: none)
//   <p>mem:threads                    zset   every thread, scored by expiry as mem:u
//   <p>kv:<key>                       string a key-value entry (the key as given, native TTL)
//   <p>cat:<name>:<revision>          hash   a catalogue revision (definition as JSON)
//   <p>cat:latest                     hash   <name> → latest revision
//   <p>rec:<kind>:id:<id>             hash   a record: its JSON, and the key parts of its pipeline
//                                            and run ('' when it has none); native expiry
//   <p>rec:<kind>:all                 zset   every record of the kind: score at, member <id> as
//                                            given (so equal times come back in byte order)
//   <p>rec:<kind>:pipe:<pipeline>     zset   the kind's records of a pipeline, same scores
//   <p>rec:<kind>:run:<run>           zset   the kind's records of a run, same scores
//   <p>rec:<kind>:<index>:exp         zset   beside each of those three: the same members, scored
//                                            by the record's expiry in ms (+inf: none)
//
// A thread's keys all carry the thread's expiry (PEXPIREAT). The cross-thread indexes (mem:u,
// mem:threads) score each thread by that same expiry: reads ignore members past it, every touch
// removes them, and the key itself expires with its last-expiring member.
//
// Records follow the same rule per index: every script settles each index it reads or writes
// (drops the members its :exp set says have expired, from both sets) and gives both sets the
// expiry of their last-expiring member, so an index that only held expired records is gone with
// them, and one that still holds live records never returns the expired ones.

/** `%` → `%25`, `:` → `%3A`: injective, and the result never contains `:`. */
export function encode(id: string): string {
  return id.replace(/%/g, '%25').replace(/:/g, '%3A');
}

/** Key names under one prefix. */
export class RedisKeys {
  readonly prefix: string;

  constructor(prefix: string) {
    this.prefix = prefix;
  }

  run(runId: string): string {
    return `${this.prefix}run:${encode(runId)}`;
  }
  log(runId: string): string {
    return `${this.run(runId)}:log`;
  }
  tail(runId: string, token: string): string {
    return `${this.run(runId)}:tail:${token}`;
  }
  get runs(): string {
    return `${this.prefix}runs`;
  }
  get eventCount(): string {
    return `${this.prefix}runs:events`;
  }
  runsByStatus(status: string): string {
    return `${this.prefix}runs:status:${status}`;
  }
  runsByPipeline(pipeline: string): string {
    return `${this.prefix}runs:pipeline:${encode(pipeline)}`;
  }
  thread(threadId: string): string {
    return `${this.prefix}mem:t:${encode(threadId)}`;
  }
  messages(threadId: string): string {
    return `${this.prefix}mem:m:${encode(threadId)}`;
  }
  userInThread(threadId: string, userId: string): string {
    return `${this.prefix}mem:tu:${encode(threadId)}:${encode(userId)}`;
  }
  threadUsers(threadId: string): string {
    return `${this.prefix}mem:tusers:${encode(threadId)}`;
  }
  get threads(): string {
    return `${this.prefix}mem:threads`;
  }
  get messageSeq(): string {
    return `${this.prefix}mem:seq`;
  }
  user(userId: string): string {
    return `${this.prefix}mem:u:${encode(userId)}`;
  }
  kv(key: string): string {
    return `${this.prefix}kv:${key}`;
  }
  catalog(name: string, revision: number): string {
    return `${this.prefix}cat:${encode(name)}:${revision}`;
  }
  get catalogLatest(): string {
    return `${this.prefix}cat:latest`;
  }
  /** The start of every key of a record kind (`<p>rec:<kind>:`). */
  records(kind: string): string {
    return `${this.prefix}rec:${encode(kind)}:`;
  }
}
