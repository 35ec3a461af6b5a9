import type * as trend from '@grafana/grafana-foundation-sdk/trend';
import { defaultTrend, selectedSeed, selectedSweep, selectedVariants, selectedWeightDecays, sqlQuery, units } from './common';

/*
 * Per-epoch curves. x is the epoch number (Grafana's trend panel), never the time a row was
 * written. "With dropout" pools every run that uses any dropout; "no dropout" is the
 * dropout1 = dropout2 = 0 runs; both over the selected weight decays and seeds. The averages come
 * from regsweep_epoch_curve and regsweep_weight_norm_curve (views epoch_curve and
 * weight_norm_curve over the whole sweep, which the report shows).
 */

const selection = (): string => `${selectedSweep()}, ${selectedWeightDecays()}, ${selectedSeed()}, ${selectedVariants()}`;

/** One column per (metric, with/without dropout) pair of regsweep_epoch_curve, per epoch. */
function perEpochSql(columns: ReadonlyArray<{ metric: string; label: string }>): string {
  const selects = columns.flatMap(({ metric, label }) => [`${metric}_no_dropout as "${label}, no dropout"`, `${metric}_dropout as "${label}, dropout"`]);
  return `
    select epoch,
           ${selects.join(',\n           ')}
      from regsweep_epoch_curve(${selection()})
     order by epoch
  `;
}

export const lossTrend = (): trend.PanelBuilder =>
  defaultTrend('epoch')
    .title('Loss per epoch, with and without dropout')
    .description(
      'Cross-entropy per epoch. Training loss is measured with dropout on, during the epoch; test loss in inference mode ' +
        'after it. With dropout the training loss stays above the test loss early on because half the network is ' +
        'switched off while training; a test loss that turns upward while the training loss keeps falling is overfitting.',
    )
    .unit(units.plain)
    .decimals(3)
    .withTarget(
      sqlQuery(
        perEpochSql([
          { metric: 'train_loss', label: 'train loss' },
          { metric: 'test_loss', label: 'test loss' },
        ]),
      ),
    );

export const accuracyTrend = (): trend.PanelBuilder =>
  defaultTrend('epoch')
    .title('Accuracy per epoch, with and without dropout')
    .description(
      'Training accuracy (on the training images, inference mode) and test accuracy after each epoch. The distance ' +
        'between a pair of train and test lines is the train−test gap; dropout should keep the pair closer together.',
    )
    .unit(units.fraction)
    .decimals(1)
    .withTarget(
      sqlQuery(
        perEpochSql([
          { metric: 'train_acc_eval', label: 'train accuracy' },
          { metric: 'test_acc', label: 'test accuracy' },
        ]),
      ),
    );

export const gapTrend = (): trend.PanelBuilder =>
  defaultTrend('epoch')
    .title('Train−test gap per epoch, with and without dropout')
    .description(
      'Training accuracy minus test accuracy after each epoch, both in inference mode. A gap that keeps growing is ' +
        'overfitting; the distance between the two lines is how much dropout narrows it.',
    )
    .unit(units.fraction)
    .decimals(1)
    .withTarget(sqlQuery(perEpochSql([{ metric: 'gap', label: 'gap' }])));

export const activationVarianceTrend = (): trend.PanelBuilder =>
  defaultTrend('epoch')
    .title('Hidden activation variance per layer')
    .description(
      'Variance of each hidden layer’s post-ReLU activations on 1,000 test images, in inference mode, after each epoch. ' +
        '"Dropped out" pools runs with dropout after that layer, "no dropout" runs without it. Training with dropout ' +
        'changes how large and how spread out the activations become once dropout is switched off.',
    )
    .unit(units.plain)
    .decimals(3)
    .withTarget(
      sqlQuery(`
        select epoch,
               act_var1_dropped_out as "layer 1, dropped out",
               act_var1_no_dropout as "layer 1, no dropout",
               act_var2_dropped_out as "layer 2, dropped out",
               act_var2_no_dropout as "layer 2, no dropout"
          from regsweep_epoch_curve(${selection()})
         order by epoch
      `),
    );

export const weightNormTrend = (): trend.PanelBuilder =>
  defaultTrend('epoch')
    .title('Weight norms, weight decay $weight_decay')
    .description(
      'Frobenius norm of each weight matrix (W1: input to hidden 1, W2: hidden 1 to 2, W3: hidden 2 to output) after each ' +
        'epoch, averaged over the runs with this weight decay. One chart per selected weight decay, side by side: larger ' +
        'weight decay should hold the norms lower as training goes on.',
    )
    .span(8)
    .repeat('weight_decay')
    .repeatDirection('h')
    .maxPerRow(3)
    .unit(units.plain)
    .decimals(2)
    .withTarget(
      sqlQuery(`
        select epoch, w1 as "W1", w2 as "W2", w3 as "W3"
          from regsweep_weight_norm_curve(${selection()})
         order by epoch
      `),
    );
