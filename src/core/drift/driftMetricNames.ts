/**
 * The runtime's input drift metrics on /metrics, labelled {feature, bin}: live rows counted per bin
 * (a counter), and the validation set's share of rows per bin (a gauge), so that whoever holds only the
 * /metrics text can compute the population stability index.
 */
export const INPUT_BIN_TOTAL = 'modeldeploy_input_bin_total';
export const INPUT_BIN_EXPECTED_RATIO = 'modeldeploy_input_bin_expected_ratio';
