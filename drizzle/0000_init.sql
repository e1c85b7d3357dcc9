CREATE TABLE "weft_catalog" (
	"name" text NOT NULL,
	"revision" integer NOT NULL,
	"version" text NOT NULL,
	"hash" text NOT NULL,
	"definition" jsonb NOT NULL,
	"source" text,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "weft_catalog_name_revision_pk" PRIMARY KEY("name","revision")
);
--> statement-breakpoint
CREATE TABLE "weft_kv" (
	"key" text PRIMARY KEY NOT NULL,
	"value" text NOT NULL,
	"expires_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "weft_messages" (
	"seq" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "weft_messages_seq_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"message_id" text NOT NULL,
	"thread_id" text NOT NULL,
	"user_id" text,
	"role" text NOT NULL,
	"content" text NOT NULL,
	"metadata" jsonb NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "weft_messages_message_id_unique" UNIQUE("message_id")
);
--> statement-breakpoint
CREATE TABLE "weft_run_events" (
	"run_id" text NOT NULL,
	"seq" integer NOT NULL,
	"type" text NOT NULL,
	"at" bigint NOT NULL,
	"payload" jsonb NOT NULL,
	CONSTRAINT "weft_run_events_run_id_seq_pk" PRIMARY KEY("run_id","seq")
);
--> statement-breakpoint
CREATE TABLE "weft_runs" (
	"run_id" text PRIMARY KEY NOT NULL,
	"pipeline" text NOT NULL,
	"version" text NOT NULL,
	"status" text NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	"events" integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE "weft_threads" (
	"thread_id" text PRIMARY KEY NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE INDEX "weft_kv_expires_idx" ON "weft_kv" USING btree ("expires_at");--> statement-breakpoint
CREATE INDEX "weft_messages_thread_idx" ON "weft_messages" USING btree ("thread_id","seq");--> statement-breakpoint
CREATE INDEX "weft_messages_user_idx" ON "weft_messages" USING btree ("user_id","seq");--> statement-breakpoint
CREATE INDEX "weft_runs_started_idx" ON "weft_runs" USING btree ("started_at");--> statement-breakpoint
CREATE INDEX "weft_runs_pipeline_idx" ON "weft_runs" USING btree ("pipeline","started_at");