import { sql, type Kysely } from 'kysely';

/*
 * Two helpers for the views that compare configurations:
 *
 * regsweep_sign_flip_p(diffs): the exact paired sign-flip (randomization) test of "the mean
 * difference is zero". Under that hypothesis each seed's difference is as likely to have
 * either sign, so every one of the 2^n sign patterns is equally likely; the two-sided p-value
 * is the share of patterns whose |mean| is at least the observed |mean|. Unlike the t-test it
 * is defined when every difference is equal (sd = 0), and it needs no normality, which is what
 * 2–3 seeds cannot check. Its smallest possible value is 2 / 2^n (0.25 at n = 3, 0.0625 at
 * n = 5), so small n never looks significant by accident. Null outside 1 ≤ n ≤ 12, where 2^n
 * patterns stop being cheap to enumerate.
 *
 * regsweep_metric_range(metric): the values a metric can take, for clipping intervals that a
 * t-interval over few seeds stretches past them. Accuracies lie in [0, 1], the gap (train
 * minus test accuracy) in [−1, 1].
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create function regsweep_sign_flip_p(diffs double precision[]) returns double precision
    language plpgsql immutable strict parallel safe as $$
    declare
      n constant integer := coalesce(array_length(diffs, 1), 0);
      observed float8 := 0;
      scale float8 := 0;
      s float8;
      hits integer := 0;
    begin
      if n < 1 or n > 12 then
        return null;
      end if;
      for i in 1..n loop
        observed := observed + diffs[i];
        scale := scale + abs(diffs[i]);
      end loop;
      for pattern in 0..(1 << n) - 1 loop
        s := 0;
        for i in 1..n loop
          if (pattern >> (i - 1)) & 1 = 1 then
            s := s - diffs[i];
          else
            s := s + diffs[i];
          end if;
        end loop;
        -- Sums that are equal in exact arithmetic may differ in the last bits when added in
        -- another order; a pattern ties the observed sum within 1e-12 of the sum of |d|.
        if abs(s) >= abs(observed) - 1e-12 * scale then
          hits := hits + 1;
        end if;
      end loop;
      return hits::float8 / (1 << n);
    end
    $$`.execute(db);

  await sql`
    create function regsweep_metric_range(metric text, out low double precision, out high double precision)
    language sql immutable strict parallel safe as $$
      select case when metric = 'gap' then -1 else 0 end::float8, 1::float8
       where metric in ('test_acc', 'train_acc_eval', 'gap')
    $$`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop function if exists regsweep_metric_range(text)`.execute(db);
  await sql`drop function if exists regsweep_sign_flip_p(double precision[])`.execute(db);
}
