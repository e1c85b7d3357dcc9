CREATE TABLE "weft_records" (
	"kind" text NOT NULL,
	"id" text NOT NULL,
	"at" bigint NOT NULL,
	"pipeline" text,
	"run_id" text,
	"data" jsonb NOT NULL,
	"expires_at" timestamp with time zone,
	CONSTRAINT "weft_records_kind_id_pk" PRIMARY KEY("kind","id")
);
--> statement-breakpoint
CREATE INDEX "weft_records_at_idx" ON "weft_records" USING btree ("kind","at");--> statement-breakpoint
CREATE INDEX "weft_records_pipeline_idx" ON "weft_records" USING btree ("kind","pipeline","at");--> statement-breakpoint
CREATE INDEX "weft_records_run_idx" ON "weft_records" USING btree ("kind","run_id","at");--> statement-breakpoint
CREATE INDEX "weft_records_expires_idx" ON "weft_records" USING btree ("expires_at");